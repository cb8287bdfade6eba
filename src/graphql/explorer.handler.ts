/**
 * The GraphQL explorer (GraphiQL, in the build GraphQL Yoga ships) at `GET /graphql` from a
 * browser, outside production. Nest's own GraphiQL loads React and GraphiQL from a CDN and runs
 * an inline script; this one serves every asset from the installed package
 * (@graphql-yoga/render-graphiql, a dev dependency) on this origin, so it works offline, on
 * closed networks and under a Content-Security-Policy with no inline or foreign script.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';

type Handler = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

const PACKAGE = '@graphql-yoga/render-graphiql';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Host header values safe to repeat in a header (name or address, optional port). */
const SAFE_HOST = /^(?:[a-z0-9.-]+|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

/** The strings the package exports: the bundle, its styles, Monaco's workers, the icon. */
interface Bundle {
  js: string;
  css: string;
  favicon: string;
  editorWorkerService: string;
  jsonWorker: string;
  graphqlWorker: string;
}

interface Asset {
  type: string;
  body: Buffer;
  gzipped?: Buffer;
}

/**
 * Runs before the bundle: tells Monaco where its workers are (same origin, so the CSP's 'self'
 * covers them), then renders once the page's scripts have run. No inline script needed.
 */
const START_SCRIPT = `'use strict';
(function () {
  var base = document.currentScript.src.replace(/[^/]*$/, '');
  var workers = { json: 'json.worker.js', graphql: 'graphql.worker.js' };
  self.MonacoEnvironment = {
    globalAPI: false,
    getWorkerUrl: function (moduleId, label) {
      return base + (workers[label] || 'editor.worker.js');
    },
  };
  window.addEventListener('DOMContentLoaded', function () {
    var root = document.getElementById('root');
    YogaGraphiQL.renderYogaGraphiQL(root, JSON.parse(root.dataset.options));
  });
})();
`;

/** What a new tab shows: how to get a token, and where it goes. */
const DEFAULT_QUERY = `# The chat API. Most operations need a token: run Register or Login below,
# then open Headers and put in
#   { "Authorization": "Bearer <accessToken>" }
# Subscriptions: use a graphql-ws client (the token goes in connection_init,
# which this page's socket cannot send).

mutation Register {
  register(input: { username: "alice", password: "correct horse battery" }) {
    accessToken
  }
}

mutation Login {
  login(input: { username: "alice", password: "correct horse battery" }) {
    accessToken
  }
}

query Me {
  me {
    id
    username
    displayName
  }
}
`;

const OPTIONS = {
  title: 'Chat API explorer',
  endpoint: '/graphql',
  // graphql-ws, as the server speaks it. GraphiQL sends its headers with each operation, not in
  // connection_init where the server reads the token, so a subscription here is refused (4403).
  subscriptionsProtocol: 'WS',
  defaultQuery: DEFAULT_QUERY,
  // What the server answers (see query-limits.ts: the standard query passes in development).
  inputValueDeprecation: true,
};

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function page(base: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(OPTIONS.title)}</title>
    <link rel="icon" href="${base}favicon.ico" />
    <link rel="stylesheet" href="${base}graphiql.css" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>The explorer needs JavaScript.</noscript>
    <div id="root" data-options="${escapeHtml(JSON.stringify(OPTIONS))}"></div>
    <script src="${base}start.js"></script>
    <script src="${base}graphiql.js"></script>
  </body>
</html>
`;
}

/**
 * The explorer page's policy: its own scripts (and workers) only, nothing inline; styles from
 * itself plus inline ones, which Monaco and GraphiQL's components create at run time (they are
 * no script); fonts and icons the stylesheet carries as data: URLs; requests and WebSockets to
 * this origin only.
 */
export function explorerContentSecurityPolicy(host: string | undefined): string {
  const sockets = host && SAFE_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "worker-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Which installed version serves the explorer, or undefined when the package is not installed. */
export function explorerVersion(): string | undefined {
  try {
    const require = createRequire(import.meta.url);
    return (require(`${PACKAGE}/package.json`) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/**
 * `GET /graphql` from a browser (Accept: text/html) answers the explorer page; its assets live
 * under `/graphql/explorer/<package version>/`, cached for good (a new version, a new path).
 * Anything else passes on to Apollo.
 */
export function createExplorerHandler(path: string, version: string): Handler {
  const base = `${path}/explorer/${version}/`;
  const html = Buffer.from(page(base));
  let assets: Promise<Map<string, Asset>> | undefined;
  // Loaded at the first request: the bundle is ~9 MB of strings no API request needs.
  const loadAssets = () =>
    (assets ??= import(`${PACKAGE}/graphiql`).then((bundle: Bundle) => {
      const js = 'text/javascript; charset=utf-8';
      const icon = /^data:([^;,]+);base64,(.*)$/.exec(bundle.favicon);
      return new Map<string, Asset>([
        ['start.js', { type: js, body: Buffer.from(START_SCRIPT) }],
        ['graphiql.js', { type: js, body: Buffer.from(bundle.js) }],
        ['graphiql.css', { type: 'text/css; charset=utf-8', body: Buffer.from(bundle.css) }],
        ['editor.worker.js', { type: js, body: Buffer.from(bundle.editorWorkerService) }],
        ['json.worker.js', { type: js, body: Buffer.from(bundle.jsonWorker) }],
        ['graphql.worker.js', { type: js, body: Buffer.from(bundle.graphqlWorker) }],
        ...(icon
          ? [['favicon.ico', { type: icon[1], body: Buffer.from(icon[2], 'base64') }] as const]
          : []),
      ]);
    }));

  const sendAsset = async (req: IncomingMessage, res: ServerResponse, name: string) => {
    const asset = (await loadAssets()).get(name);
    if (!asset) {
      res.statusCode = 404;
      res.end();
      return;
    }
    // Compressed once, on first use: the bundle shrinks from ~9 MB to ~2.5 MB.
    const gzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? (asset.gzipped ??= gzipSync(asset.body)) : asset.body;
    res.statusCode = 200;
    res.setHeader('Content-Type', asset.type);
    res.setHeader('Cache-Control', IMMUTABLE);
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    if (gzip) res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', body.length);
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const sendPage = (req: IncomingMessage, res: ServerResponse) => {
    res.statusCode = 200;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Content-Security-Policy', explorerContentSecurityPolicy(req.headers.host));
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('Content-Length', html.length);
    res.end(req.method === 'HEAD' ? undefined : html);
  };

  return (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // Express strips a middleware's mount path from req.url, never from originalUrl.
    const url = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const { pathname } = new URL(url, 'http://localhost');
    if (pathname.startsWith(base)) {
      sendAsset(req, res, pathname.slice(base.length)).catch(next);
      return;
    }
    // A browser opening the URL; GraphQL clients ask for JSON.
    if (pathname === path && (req.headers.accept ?? '').includes('text/html')) {
      sendPage(req, res);
      return;
    }
    next();
  };
}
