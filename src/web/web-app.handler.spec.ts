/** The web app handler on a plain HTTP server and a throw-away dist folder. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentSecurityPolicy, createWebAppHandler } from './web-app.handler.js';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const PAGE = '<!doctype html><div id="root"></div>';
let dist: string;
let server: Server;
let base: string;

beforeAll(async () => {
  dist = mkdtempSync(join(tmpdir(), 'web-dist-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), PAGE);
  writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dist, 'favicon.svg'), '<svg/>');
  writeFileSync(join(dist, '.build-hash'), 'secret-ish');
  const handler = createWebAppHandler(dist)!;
  server = createServer((req, res) =>
    handler(req, res, (error) => {
      res.statusCode = error ? 500 : 404;
      res.end('next');
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.close();
  rmSync(dist, { recursive: true, force: true });
});

describe('createWebAppHandler', () => {
  it('is absent when the app is not built', () => {
    expect(createWebAppHandler(join(dist, 'missing'))).toBeUndefined();
  });

  it('serves the page for browser navigations, revalidated and under the CSP', async () => {
    for (const path of ['/', '/c/some-id', '/anything/else']) {
      const res = await fetch(base + path, { headers: HTML });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(PAGE);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(res.headers.get('content-security-policy')).toBe(
        contentSecurityPolicy(base.replace('http://', '')),
      );
      expect(res.headers.get('x-frame-options')).toBe('DENY');
    }
  });

  it('answers a revalidation with 304', async () => {
    const etag = (await fetch(base, { headers: HTML })).headers.get('etag')!;
    const res = await fetch(base, { headers: { ...HTML, 'if-none-match': etag } });
    expect(res.status).toBe(304);
  });

  it('caches hashed assets for a year, other files only with revalidation', async () => {
    const asset = await fetch(`${base}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    const icon = await fetch(`${base}/favicon.svg`);
    expect(icon.headers.get('cache-control')).toBe('no-cache');
  });

  it('leaves API paths, missing files, non-HTML requests, dotfiles and writes to the next handler', async () => {
    const passed = async (path: string, init: RequestInit = { headers: HTML }) => {
      const res = await fetch(base + path, init);
      return res.status === 404 && (await res.text()) === 'next';
    };
    for (const path of ['/graphql', '/health/live', '/files/1', '/conversations', '/docs', '/me'])
      expect(await passed(path), path).toBe(true);
    expect(await passed('/assets/missing.js')).toBe(true);
    expect(await passed('/.build-hash')).toBe(true);
    expect(await passed('/c/some-id', { headers: { accept: 'application/json' } })).toBe(true);
    expect(await passed('/', { method: 'POST', headers: HTML })).toBe(true);
  });
});

describe('contentSecurityPolicy', () => {
  it('allows the own origin, its WebSocket, and blob: images; nothing inline', () => {
    const policy = contentSecurityPolicy('chat.example.com');
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("connect-src 'self' ws://chat.example.com wss://chat.example.com");
    expect(policy).toContain("img-src 'self' blob: data:");
    expect(policy).not.toContain('unsafe');
  });

  it('never repeats a Host header that is not a plain host', () => {
    expect(contentSecurityPolicy('evil.com; script-src *')).toContain("connect-src 'self';");
    expect(contentSecurityPolicy(undefined)).toContain("connect-src 'self';");
  });
});
