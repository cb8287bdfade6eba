/**
 * The floor: the least a Node chat server can do with the same parts as ours and no framework —
 * `ws`, PostgreSQL through `pg`, Redis through `ioredis`. The benchmarks run two of these beside
 * two of the real server and report the ratio. It is built with the bench (`npm run bench:build`)
 * and runs with plain node, as the server does; of the server it uses only its send statement.
 *
 * Kept honest, i.e. doing the work the server's guarantees need, no more:
 * - a send is one SQL statement, the server's own INSERT_NEXT (imported, so it cannot drift: next
 *   gap-free seq, the INSERT, attachments, sender and recipients read back), with the same
 *   parameters (no attachments here), awaited before anything is published (same durability);
 * - then one Redis PUBLISH per recipient on per-user channels `<prefix>user:<id>` (one JSON
 *   encoding, one command: the server's own publishAll, imported too), exactly the server's
 *   channel design;
 * - each instance subscribes to the channels of its connected users and writes one frame per
 *   connection, the published JSON wrapped without re-encoding;
 * - resuming (`afterSeq`) replays from PostgreSQL while live events are buffered, then dedupes
 *   by seq and fills gaps, so the reconnect storm is held to the same no-loss/no-repeat rule;
 * - sockets are authenticated (HS256 JWT, the server's tokens) and pinged every 12 s.
 *
 * Protocol (JSON frames, not graphql-ws): client → {t:'auth',k}, {t:'sub',c?,a?},
 * {t:'send',r,c,x,k?}; server → {t:'ack'}, {t:'m',m:<message>}, {t:'ok',r,seq}, {t:'err',r,e}.
 * HTTP: GET /history?c=&before=&limit= (Bearer token) — one SELECT, newest first; POST /send
 * {c, x, k?} (Bearer token) — a send over HTTP (the token verified per request, as the server's
 * HTTP sends are), answering {seq}.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';
import { INSERT_NEXT } from '../../src/messages/messages.repository.js';
import { publishAll } from '../../src/pubsub/redis-pubsub.js';

const env = process.env;
const PREFIX = env.REDIS_PREFIX ?? 'chat:';
const SECRET = env.JWT_SECRET ?? '';
const KEEP_ALIVE_MS = 12_000;
const REPLAY_BATCH = 500;

const pool = new pg.Pool({
  connectionString: env.DATABASE_URL,
  max: Number(env.DATABASE_POOL_SIZE ?? 10),
});
const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const subscriber = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379');

const MESSAGE_COLUMNS = `m.id, m.conversation_id, m.seq, m.text, m.client_message_id, m.created_at,
  u.id AS sender_id, u.username, u.display_name`;
const REPLAY = `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
  WHERE m.conversation_id = $1 AND m.seq > $2 AND m.seq < $3 ORDER BY m.seq LIMIT ${REPLAY_BATCH}`;
const HISTORY = `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
  WHERE m.conversation_id = $1 AND m.seq < $2
    AND EXISTS (SELECT 1 FROM participants WHERE conversation_id = $1 AND user_id = $3)
  ORDER BY m.seq DESC LIMIT $4`;
const LAST_SEQ = `SELECT c.last_seq FROM conversations c WHERE c.id = $1
  AND EXISTS (SELECT 1 FROM participants WHERE conversation_id = $1 AND user_id = $2)`;

interface MessageRow {
  id: string;
  conversation_id: string;
  seq: number;
  text: string;
  client_message_id: string | null;
  created_at: Date;
  sender_id: string;
  username: string;
  display_name: string;
}

/** Field order puts text first: the load generator reads it without parsing the frame. */
const toJson = (r: MessageRow) =>
  JSON.stringify({
    text: r.text,
    seq: r.seq,
    conversationId: r.conversation_id,
    id: r.id,
    createdAt: r.created_at,
    clientMessageId: r.client_message_id,
    sender: { id: r.sender_id, username: r.username, displayName: r.display_name },
  });
const frameOf = (json: string) => `{"t":"m","m":${json}}`;

/** Returns the user id of a valid, unexpired HS256 token, else undefined. */
function verify(token: unknown): string | undefined {
  if (typeof token !== 'string') return undefined;
  const [head, body, sig] = token.split('.');
  if (!sig) return undefined;
  const expected = createHmac('sha256', SECRET).update(`${head}.${body}`).digest();
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const header = JSON.parse(Buffer.from(head, 'base64url').toString()) as { alg?: string };
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as {
      sub?: unknown;
      exp?: unknown;
    };
    if (header.alg !== 'HS256' || typeof claims.sub !== 'string') return undefined;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) return undefined;
    return claims.sub;
  } catch {
    return undefined;
  }
}

/** One conversation's resumable stream on a connection: in seq order, no gap, no repeat. */
interface Stream {
  conversationId: string;
  lastSent: number;
  live: boolean;
  pending: { seq: number; json: string }[];
  queue: Promise<void>;
}

interface Conn {
  ws: WebSocket;
  alive: boolean;
  userId?: string;
  /** Subscribed to every conversation (no filter), or to one `stream`. */
  all: boolean;
  stream?: Stream;
  listening: boolean;
}

const conns = new Set<Conn>();
/** Connections per user on this instance: the Redis channels we hear. */
const byUser = new Map<string, Set<Conn>>();

function listen(conn: Conn): void {
  if (conn.listening) return;
  conn.listening = true;
  let set = byUser.get(conn.userId!);
  if (!set) {
    byUser.set(conn.userId!, (set = new Set()));
    void subscriber.subscribe(PREFIX + 'user:' + conn.userId);
  }
  set.add(conn);
}

function unlisten(conn: Conn): void {
  if (!conn.listening) return;
  conn.listening = false;
  const set = byUser.get(conn.userId!);
  if (!set) return;
  set.delete(conn);
  if (set.size === 0) {
    byUser.delete(conn.userId!);
    void subscriber.unsubscribe(PREFIX + 'user:' + conn.userId);
  }
}

subscriber.on('message', (channel: string, json: string) => {
  const set = byUser.get(channel.slice(PREFIX.length + 5));
  if (!set) return;
  let frame: string | undefined;
  let meta: { conversationId: string; seq: number } | undefined;
  for (const conn of set) {
    if (conn.all) {
      conn.ws.send((frame ??= frameOf(json)));
    } else if (conn.stream) {
      meta ??= JSON.parse(json) as { conversationId: string; seq: number };
      const stream = conn.stream;
      if (meta.conversationId !== stream.conversationId) continue;
      const event = { seq: meta.seq, json };
      if (!stream.live) stream.pending.push(event);
      else stream.queue = stream.queue.then(() => deliver(conn, stream, event));
    }
  }
});

async function replay(conn: Conn, stream: Stream, beforeSeq: number): Promise<number> {
  const { rows } = await pool.query<MessageRow>(REPLAY, [
    stream.conversationId,
    stream.lastSent,
    beforeSeq,
  ]);
  for (const row of rows) {
    conn.ws.send(frameOf(toJson(row)));
    stream.lastSent = row.seq;
  }
  return rows.length;
}

async function deliver(conn: Conn, stream: Stream, event: { seq: number; json: string }) {
  if (event.seq <= stream.lastSent) return;
  // A publish overtaken by a later one (or lost): fetch what is missing first.
  if (event.seq > stream.lastSent + 1) await replay(conn, stream, event.seq);
  conn.ws.send(frameOf(event.json));
  stream.lastSent = event.seq;
}

async function subscribe(conn: Conn, conversationId?: string, afterSeq?: number): Promise<void> {
  if (!conversationId) {
    conn.all = true;
    listen(conn);
    return;
  }
  const stream: Stream = {
    conversationId,
    lastSent: 0,
    live: false,
    pending: [],
    queue: Promise.resolve(),
  };
  conn.stream = stream;
  // Listen before reading the database, so nothing committed meanwhile falls between.
  listen(conn);
  const { rows } = await pool.query<{ last_seq: number }>(LAST_SEQ, [conversationId, conn.userId]);
  if (rows.length === 0) {
    conn.ws.send('{"t":"err","e":"NOT_FOUND"}');
    return;
  }
  if (afterSeq === undefined) stream.lastSent = rows[0].last_seq;
  else {
    stream.lastSent = afterSeq;
    while ((await replay(conn, stream, 2 ** 31 - 1)) === REPLAY_BATCH);
  }
  stream.live = true;
  const pending = stream.pending.splice(0).sort((a, b) => a.seq - b.seq);
  stream.queue = stream.queue.then(async () => {
    for (const event of pending) await deliver(conn, stream, event);
  });
}

/** One send: the statement, then the publishes; its seq, or the error code a client is told. */
async function store(userId: string, conversationId: string, text: string, key?: string) {
  try {
    // The server's parameters: conversation, sender, text, client id, attachment ids (none),
    // the replied message (none), mentions (none).
    // Prepared once per connection, as the server's is (src/database/prepared-query.ts).
    const { rows } = await pool.query<MessageRow & { recipient_ids: string[] }>({
      name: 'insert_next',
      text: INSERT_NEXT,
      values: [conversationId, userId, text, key ?? null, [], null, []],
    });
    const row = rows[0];
    if (!row) return { error: 'NOT_FOUND' };
    const json = toJson(row);
    await publishAll(
      redis,
      row.recipient_ids.map((id) => PREFIX + 'user:' + id),
      json,
    );
    return { seq: row.seq };
  } catch {
    return { error: 'INTERNAL' };
  }
}

async function send(conn: Conn, r: number, conversationId: string, text: string, key?: string) {
  const { seq, error } = await store(conn.userId!, conversationId, text, key);
  conn.ws.send(error ? `{"t":"err","r":${r},"e":"${error}"}` : `{"t":"ok","r":${r},"seq":${seq}}`);
}

/** POST /send {c, x, k?} (Bearer token): the HTTP form of a send, answering {seq} or {e}. */
function sendOverHttp(req: IncomingMessage, res: ServerResponse, userId: string) {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    let msg: { c?: string; x?: string; k?: string };
    try {
      msg = JSON.parse(body) as typeof msg;
    } catch {
      res.writeHead(400).end();
      return;
    }
    void store(userId, String(msg.c), String(msg.x ?? ''), msg.k).then(({ seq, error }) => {
      res.writeHead(error ? (error === 'NOT_FOUND' ? 404 : 500) : 200, {
        'content-type': 'application/json',
      });
      res.end(error ? `{"e":"${error}"}` : `{"seq":${seq}}`);
    });
  });
}

const http = createServer((req: IncomingMessage, res: ServerResponse) => {
  const url = new URL(req.url ?? '/', 'http://floor');
  const userId = verify(/^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1]);
  if (url.pathname === '/send' && req.method === 'POST' && userId)
    return sendOverHttp(req, res, userId);
  if (url.pathname !== '/history' || !userId) {
    res.writeHead(userId ? 404 : 401).end();
    return;
  }
  const before = Number(url.searchParams.get('before') ?? 2 ** 31 - 1);
  const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 50));
  pool.query<MessageRow>(HISTORY, [url.searchParams.get('c'), before, userId, limit]).then(
    ({ rows }) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"items":[${rows.map(toJson).join(',')}]}`);
    },
    () => res.writeHead(500).end(),
  );
});

const wss = new WebSocketServer({ server: http, perMessageDeflate: false, maxPayload: 64 * 1024 });
wss.on('connection', (ws: WebSocket) => {
  const conn: Conn = { ws, alive: true, all: false, listening: false };
  conns.add(conn);
  const initTimeout = setTimeout(() => ws.close(4408, 'No auth'), 3000);
  ws.on('pong', () => (conn.alive = true));
  ws.on('error', () => ws.terminate());
  ws.on('close', () => {
    clearTimeout(initTimeout);
    conns.delete(conn);
    unlisten(conn);
  });
  ws.on('message', (data) => {
    let msg: { t?: string; k?: string; c?: string; a?: number; r?: number; x?: string };
    try {
      msg = JSON.parse(String(data)) as typeof msg;
    } catch {
      return ws.close(4400, 'Bad frame');
    }
    if (!conn.userId) {
      const userId = msg.t === 'auth' ? verify(msg.k) : undefined;
      if (!userId) return ws.close(4403, 'Forbidden');
      clearTimeout(initTimeout);
      conn.userId = userId;
      return ws.send('{"t":"ack"}');
    }
    if (msg.t === 'send') void send(conn, msg.r ?? 0, String(msg.c), String(msg.x ?? ''), msg.k);
    else if (msg.t === 'sub') subscribe(conn, msg.c, msg.a).catch(() => ws.close(1011, 'Error'));
  });
});

// One timer for every socket: the cheapest keep-alive (the ws README's pattern).
setInterval(() => {
  for (const conn of conns) {
    if (!conn.alive) {
      conn.ws.terminate();
      continue;
    }
    conn.alive = false;
    conn.ws.ping();
  }
}, KEEP_ALIVE_MS).unref();

http.listen(Number(env.PORT ?? 0), env.HOST ?? '127.0.0.1', () => {
  console.log(`floor listening on port ${(http.address() as AddressInfo).port}`);
});

process.once('SIGTERM', () => {
  for (const ws of wss.clients) ws.terminate();
  http.close();
  Promise.allSettled([pool.end(), redis.quit(), subscriber.quit()]).then(() => process.exit(0));
});
