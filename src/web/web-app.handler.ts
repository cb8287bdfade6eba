/**
 * Serves the built web client (web/dist) from the API's own origin, so it needs no CORS set-up:
 * Vite's content-hashed assets are cached for a year, the page itself is revalidated on every
 * load (a deploy shows at once) and locked down by a Content-Security-Policy. API paths are
 * never answered here, and only a browser navigation falls back to the page (client routing).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import serveStatic from 'serve-static';

/** Paths that belong to the API (REST, GraphQL, probes, metrics, OpenAPI docs): never the web app's. */
export const API_PREFIXES = [
  '/graphql',
  '/health',
  '/metrics',
  '/files',
  '/conversations',
  '/docs',
  '/me',
  '/avatars',
];

export type WebAppHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void;

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Host header values safe to repeat in a header (name or address, optional port). */
const SAFE_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

export function isApiPath(path: string): boolean {
  return API_PREFIXES.some((prefix) => path === prefix || path.startsWith(`${prefix}/`));
}

/**
 * The app page's policy: nothing but its own scripts, styles and images (blob: for attachments,
 * which are fetched with the bearer token and shown from object URLs), and connections to its
 * own origin over HTTP and WebSocket. `'self'` covers same-origin ws: in CSP Level 3 browsers;
 * the explicit ws://host and wss://host keep older ones working too.
 */
export function contentSecurityPolicy(host: string | undefined): string {
  const sockets = host && SAFE_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    `connect-src 'self'${sockets}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** undefined when the app is not built (no index.html): the server then runs without it. */
export function createWebAppHandler(distDir: string): WebAppHandler | undefined {
  const indexFile = join(distDir, 'index.html');
  if (!existsSync(indexFile)) return undefined;
  const assets = serveStatic(distDir, {
    index: false,
    redirect: false,
    // Vite writes content-hashed names under assets/; anything else (favicon) may change.
    setHeaders: (res, path) => {
      res.setHeader(
        'Cache-Control',
        path.startsWith(join(distDir, 'assets')) ? IMMUTABLE : 'no-cache',
      );
      res.setHeader('X-Content-Type-Options', 'nosniff');
    },
  });

  const sendPage = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Read each time: a rebuild while the server runs serves the new page (and its new assets).
    const html = await readFile(indexFile);
    const etag = `"${createHash('sha256').update(html).digest('base64url').slice(0, 27)}"`;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('ETag', etag);
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(req.headers.host));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
    if (req.headers['if-none-match'] === etag) {
      res.statusCode = 304;
      res.end();
      return;
    }
    res.statusCode = 200;
    res.setHeader('Content-Length', html.length);
    res.end(req.method === 'HEAD' ? undefined : html);
  };

  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (isApiPath(path)) return next();
    assets(req, res, (error?: unknown) => {
      if (error) return next(error);
      // Client routes (/, /c/<id>…) are page loads; a missing file (a dot in the last segment)
      // or a request that does not ask for HTML (an API client) stays a 404.
      const wantsPage = (req.headers.accept ?? '').includes('text/html') && !/\.[^/]*$/.test(path);
      if (!wantsPage) return next();
      sendPage(req, res).catch(next);
    });
  };
}
