/**
 * The built web app as the server serves it: at `/` and client routes, with its CSP and cache
 * headers, beside an API that keeps every one of its paths (nothing shadowed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, testEnv, type InProcessApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { gqlOk } from '../support/gql.js';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
let db: TestDatabase;
let app: InProcessApp;
let realtime: InProcessApp;

beforeAll(async () => {
  db = await createTestDatabase();
  app = await startApp(testEnv({ DATABASE_URL: db.url }));
  realtime = await startApp(testEnv({ DATABASE_URL: db.url, APP_ROLE: 'realtime' }));
});

afterAll(async () => {
  await Promise.all([app?.close(), realtime?.close()]);
  await db?.drop();
});

describe('the server serving the web app', () => {
  it('answers / and client routes with the app page, under a strict CSP', async () => {
    for (const path of ['/', '/c/00000000-0000-0000-0000-000000000000']) {
      const res = await fetch(app.url + path, { headers: HTML });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain(`ws://127.0.0.1:${app.port}`);
      expect(await res.text()).toContain('<div id="root"></div>');
    }
  });

  it("serves the page's hashed assets as immutable", async () => {
    const page = await (await fetch(app.url, { headers: HTML })).text();
    const assets = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      const res = await fetch(app.url + asset);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    }
  });

  it('keeps every API path: GraphQL, REST, probes and docs answer as before', async () => {
    const data = await gqlOk(app.url, '{ __typename }');
    expect(data).toEqual({ __typename: 'Query' });
    const notThePage = async (path: string) => {
      const res = await fetch(app.url + path, { headers: HTML });
      return { status: res.status, page: (await res.text()).includes('<div id="root">') };
    };
    expect(await notThePage('/graphql')).toMatchObject({ page: false });
    expect(await notThePage('/files/00000000-0000-0000-0000-000000000000')).toEqual({
      status: 401,
      page: false,
    });
    expect(await notThePage('/conversations')).toEqual({ status: 401, page: false });
    expect(await notThePage('/health/live')).toEqual({ status: 200, page: false });
    expect(await notThePage('/docs')).toMatchObject({ status: 200, page: false });
    expect(await notThePage('/me')).toMatchObject({ page: false });
    // An API client asking for JSON at an unknown path still gets the API's 404.
    const res = await fetch(`${app.url}/c/x`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('is not served by a WebSocket-only instance', async () => {
    const res = await fetch(realtime.url, { headers: HTML });
    expect(res.status).toBe(404);
  });
});
