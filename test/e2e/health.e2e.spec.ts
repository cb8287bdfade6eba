/** Health probes, and what an unexpected failure looks like to a client. */
import { describe, expect, it } from 'vitest';
import { useApp } from '../support/fixtures.js';

const { app } = useApp({ redis: true });

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
