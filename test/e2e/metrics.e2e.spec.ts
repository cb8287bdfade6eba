/**
 * Prometheus metrics at /metrics: after a real send over HTTP delivered over a real socket, the
 * counters that describe it have moved (deliveries, the publish, the operation, the HTTP route),
 * the gauges say what is open (sockets, subscriptions, Redis, the pool), and no label carries an
 * id or a message's text. Production serves them only with METRICS_TOKEN, to that token.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startApp, testEnv } from '../support/app.js';
import { createConversation, MESSAGE_ADDED, MESSAGE_FIELDS } from '../support/factories.js';
import { useApp, useDatabase } from '../support/fixtures.js';
import { gql, gqlOk, registerUser } from '../support/gql.js';
import { waitUntil } from '../support/wait.js';
import { connectWs, queryWs, subscribe, waitForSubscriptions } from '../support/ws.js';

/** One sample per line: `name{label="value",…} number`. */
type Samples = Map<string, number>;

function parse(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const labels = [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, k, v]) => `${k}="${v}"`)
      .sort()
      .join(',');
    samples.set(`${match[1]}{${labels}}`, Number(match[3]));
  }
  return samples;
}

/** A sample's value (0 when absent), labels given in any order. */
function value(samples: Samples, name: string, labels: Record<string, string> = {}): number {
  const key = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  return samples.get(`${name}{${key}}`) ?? 0;
}

async function scrape(url: string, token?: string): Promise<{ text: string; samples: Samples }> {
  const res = await fetch(`${url}/metrics`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  return { text, samples: parse(text) };
}

const SEND = `mutation Send($input: SendMessageInput!) { sendMessage(input: $input) { ${MESSAGE_FIELDS} } }`;

const db = useDatabase();

describe('metrics', () => {
  // Redis under a prefix of its own, so the Redis gauges have a connection to describe.
  const { app } = useApp({ db, redis: true });

  it('move with a send: delivery, publish, operation, route; gauges show what is open', async () => {
    const [alice, bob] = [await registerUser(app.url, 'alice'), await registerUser(app.url, 'bob')];
    const conversation = await createConversation(app.url, bob.token, [alice.id]);
    const ws = await connectWs(app.wsUrl, alice.token);
    try {
      const sub = await waitForSubscriptions([app], 1, () => subscribe(ws, MESSAGE_ADDED));
      // Alice's socket made her ONLINE (a claim this instance made, asynchronously).
      await waitUntil(
        async () =>
          value((await scrape(app.url)).samples, 'chat_presence_changes_total', {
            status: 'online',
          }) >= 1,
        'the online change counted',
      );
      const before = (await scrape(app.url)).samples;

      const text = `metrics-sentinel-${randomBytes(4).toString('hex')}`;
      await gqlOk(app.url, SEND, { input: { conversationId: conversation.id, text } }, bob.token);
      await sub.waitFor(1);
      const missing = await gql(
        app.url,
        'query Conv($id: ID!) { conversation(id: $id) { id } }',
        { id: '00000000-0000-4000-8000-000000000000' },
        bob.token,
      );
      expect(missing.errors![0].extensions!.code).toBe('NOT_FOUND');
      // A query answered on the socket is no delivery.
      expect(await queryWs(ws, 'query { me { id } }')).toEqual({ me: { id: alice.id } });
      const page = await fetch(`${app.url}/conversations/${conversation.id}/messages?limit=5`, {
        headers: { authorization: `Bearer ${bob.token}` },
      });
      expect(page.status).toBe(200);
      const stray = `/no-such-${randomBytes(4).toString('hex')}`;
      expect((await fetch(`${app.url}${stray}`)).status).toBe(404);

      const { text: output, samples: after } = await scrape(app.url);
      const moved = (name: string, labels: Record<string, string> = {}) =>
        value(after, name, labels) - value(before, name, labels);

      // The one subscriber got one frame (the query's answer is not counted); the send published once.
      expect(moved('chat_ws_deliveries_total')).toBe(1);
      expect(moved('chat_event_publish_duration_seconds_count', { event: 'messageAdded' })).toBe(1);
      expect(
        moved('chat_graphql_operation_duration_seconds_count', {
          operation: 'Send',
          type: 'mutation',
        }),
      ).toBe(1);
      expect(moved('chat_graphql_errors_total', { operation: 'Conv', code: 'NOT_FOUND' })).toBe(1);
      const route = (r: string, method: string) =>
        moved('chat_http_request_duration_seconds_count', { method, route: r, status: '200' });
      expect(route('/graphql', 'POST')).toBeGreaterThanOrEqual(2);
      expect(route('/conversations/:id/messages', 'GET')).toBe(1);
      expect(
        moved('chat_http_request_duration_seconds_count', {
          method: 'GET',
          route: '(unmatched)',
          status: '404',
        }),
      ).toBe(1);

      expect(value(after, 'chat_ws_connections')).toBe(1);
      expect(value(after, 'chat_pubsub_subscriptions')).toBeGreaterThanOrEqual(1);
      expect(value(after, 'chat_redis_connected', { connection: 'command' })).toBe(1);
      expect(value(after, 'chat_redis_connected', { connection: 'subscriber' })).toBe(1);
      expect(value(after, 'chat_db_pool_connections', { state: 'total' })).toBeGreaterThan(0);
      expect(after.has('chat_db_pool_connections{state="waiting"}')).toBe(true);
      expect(after.has('nodejs_eventloop_lag_seconds{}')).toBe(true);

      // No label carries an id, a path or a message.
      for (const secret of [alice.id, bob.id, conversation.id, text, stray]) {
        expect(output).not.toContain(secret);
      }
    } finally {
      await ws.dispose();
    }
  });

  it('include every metric the Grafana dashboard (deploy/) draws', async () => {
    const dashboard = JSON.parse(readFileSync('deploy/grafana-dashboard.json', 'utf8')) as {
      panels: { targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    expect(exprs.length).toBeGreaterThan(10);
    const names = new Set(exprs.flatMap((e) => e.match(/\b(?:chat|nodejs|process)_\w+/g) ?? []));
    const { text } = await scrape(app.url);
    for (const name of names) {
      const family = name.replace(/_(bucket|count|sum)$/, '');
      expect(text, name).toMatch(new RegExp(`^# TYPE ${family} `, 'm'));
    }
  });
});

describe('metrics in production', () => {
  it('are off without METRICS_TOKEN', async () => {
    const app = await startApp(testEnv({ NODE_ENV: 'production', DATABASE_URL: db.url }));
    try {
      for (const accept of ['text/plain', 'text/html']) {
        const res = await fetch(`${app.url}/metrics`, { headers: { accept } });
        expect(res.status, accept).toBe(404);
        expect(await res.text()).not.toContain('chat_');
      }
    } finally {
      await app.close();
    }
  });

  it('answer only the token with it, also on a WebSocket-only instance', async () => {
    const token = randomBytes(24).toString('hex');
    for (const role of ['all', 'realtime']) {
      const app = await startApp(
        testEnv({
          NODE_ENV: 'production',
          DATABASE_URL: db.url,
          METRICS_TOKEN: token,
          APP_ROLE: role,
        }),
      );
      try {
        // None, a wrong one, the right one without its scheme.
        for (const authorization of [undefined, 'Bearer wrong-token-of-some-length', token]) {
          const res = await fetch(`${app.url}/metrics`, {
            headers: authorization ? { authorization } : {},
          });
          expect(res.status, `${role} ${authorization}`).toBe(401);
          expect(await res.text()).not.toContain('chat_');
        }
        const { samples } = await scrape(app.url, token);
        expect(samples.has('chat_ws_connections{}')).toBe(true);
      } finally {
        await app.close();
      }
    }
  });
});
