/** Health probes, and what an unexpected failure looks like to a client. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterEnv, startApp, uniqueRedisPrefix, type InProcessApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let db: TestDatabase;
let app: InProcessApp;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp(clusterEnv(db.url, uniqueRedisPrefix()));
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('health', () => {
  it('answers live without a token', async () => {
    const res = await fetch(`${app.url}/health/live`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers ready with the database and Redis both up', async () => {
    const res = await fetch(`${app.url}/health/ready`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: string;
      details: Record<string, { status: string }>;
    };
    expect(body.status).toBe('ok');
    expect(body.details.database.status).toBe('up');
    expect(body.details.redis.status).toBe('up');
  });

  it('echoes a request id for tracing', async () => {
    const res = await fetch(`${app.url}/health/live`, { headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
  });
});
