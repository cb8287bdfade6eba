/**
 * What a developer pointing a browser, codegen or an IDE plugin at /graphql meets: in
 * development the standard introspection query answers the whole schema (the depth limit would
 * otherwise refuse it, 21 > 10) and the explorer (GraphiQL) is served from the instance itself,
 * no CDN; in production neither. The explorer in a real browser: test/web/explorer.web.spec.ts.
 */
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  lexicographicSortSchema,
  printSchema,
  type IntrospectionQuery,
} from 'graphql';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnApp, startApp, testEnv, type ChildApp } from '../support/app.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { errorCode, gql } from '../support/gql.js';

/** What GraphiQL 5 sends: every option graphql-js offers. */
const GRAPHIQL_INTROSPECTION = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
});

const sdl = (schema: ReturnType<typeof buildSchema>) =>
  printSchema(lexicographicSortSchema(schema));

let db: TestDatabase;
let workDir: string;
let dev: ChildApp;

beforeAll(async () => {
  db = await createTestDatabase();
  // A development instance writes schema.gql into its working directory: not the repository's.
  workDir = await mkdtemp(join(tmpdir(), 'chat-dev-'));
  dev = await spawnApp({ NODE_ENV: 'development', DATABASE_URL: db.url }, { timeoutMs: 60_000, cwd: workDir });
});

afterAll(async () => {
  await dev?.close();
  await db?.drop();
  await rm(workDir, { recursive: true, force: true });
});

describe('introspection in development', () => {
  it('answers the standard introspection query, from which the committed schema builds', async () => {
    for (const query of [getIntrospectionQuery(), GRAPHIQL_INTROSPECTION]) {
      // No token: codegen and IDE plugins usually send none.
      const res = await gql<IntrospectionQuery>(dev.url, query);
      expect(res.errors).toBeUndefined();
      expect(res.status).toBe(200);
      const client = buildClientSchema(res.data!);
      expect(sdl(client)).toBe(sdl(buildSchema(readFileSync('schema.gql', 'utf8'))));
    }
  });

  it('still refuses introspection that repeats itself (answers that grow without bound)', async () => {
    const res = await gql(
      dev.url,
      '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }',
    );
    expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(res.errors![0].message).toMatch(/once per operation/);
    expect(res.data).toBeUndefined();
  });
});

describe('the explorer in development', () => {
  it('answers a browser at /graphql with GraphiQL, every asset from this origin', async () => {
    const res = await fetch(`${dev.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain("default-src 'self';");
    const html = await res.text();
    // Nothing inline to run, nothing from another origin.
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    const refs = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThanOrEqual(4);
    for (const ref of refs) {
      expect(ref).toMatch(/^\/graphql\/explorer\/\d+\.\d+\.\d+\/[\w.]+$/);
      const asset = await fetch(`${dev.url}${ref}`);
      expect(asset.status, ref).toBe(200);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const body = await asset.text();
      expect(body).not.toMatch(/unpkg\.com|jsdelivr|esm\.sh|cdnjs/);
    }
    // The bundle loads Monaco's workers from beside itself.
    const base = refs[0].replace(/[^/]*$/, '');
    for (const worker of ['editor.worker.js', 'json.worker.js', 'graphql.worker.js']) {
      expect((await fetch(`${dev.url}${base}${worker}`)).status, worker).toBe(200);
    }
  });

  it('leaves GraphQL requests to GraphQL, whatever they accept', async () => {
    const res = await fetch(`${dev.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
    });
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
    const posted = await gql(dev.url, '{ __typename }');
    expect(posted.data).toEqual({ __typename: 'Query' });
  });
});

describe('production', () => {
  it('refuses the standard introspection query and serves no explorer', async () => {
    const app = await startApp(testEnv({ NODE_ENV: 'production', DATABASE_URL: db.url }));
    try {
      const res = await gql(app.url, getIntrospectionQuery());
      expect(errorCode(res)).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(res.errors!.some((e) => /introspection/i.test(e.message))).toBe(true);
      expect(res.data).toBeUndefined();

      const page = await fetch(`${app.url}/graphql`, { headers: { accept: 'text/html' } });
      expect(page.headers.get('content-type')).not.toMatch(/html/);
      expect(await page.text()).not.toMatch(/explorer|graphiql/i);
    } finally {
      await app.close();
    }
  });
});
