/** Health probes, and what an unexpected failure looks like to a client. */
import { Agent, get } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startApp } from '../support/app.js';
import { useApp } from '../support/fixtures.js';
import { sleep } from '../support/wait.js';

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

  it('keeps an idle kept-alive connection open past the 5 s of Node, for the proxy in front', async () => {
    // A load balancer reuses an idle upstream connection for up to 60 s (nginx, AWS ALB): had
    // the server closed it first, the proxy's next request on it would fail.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const live = () =>
      new Promise<{ status?: number; reused: boolean }>((resolve, reject) => {
        const req = get(`${app.url}/health/live`, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode, reused: req.reusedSocket }));
        });
        req.on('error', reject);
      });
    try {
      expect(await live()).toEqual({ status: 200, reused: false });
      await sleep(6000);
      expect(await live()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  }, 15_000);

  it('echoes a request id for tracing', async () => {
    const res = await fetch(`${app.url}/health/live`, { headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
  });
});

describe('what /health/ready tells whom', () => {
  const METRICS_TOKEN = 'metrics-token-for-the-health-test';
  const { app: plain, db } = useApp({ redis: true, env: { METRICS_TOKEN } });

  const ready = async (url: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${url}/health/ready`, { headers });
    return { status: res.status, body: (await res.json()) as { details: Record<string, object> } };
  };

  it('gives anyone the statuses but no response times, and sends no X-Powered-By', async () => {
    const res = await fetch(`${plain.url}/health/ready`);
    expect(res.headers.get('x-powered-by')).toBeNull();
    const body = (await res.json()) as { details: Record<string, object> };
    expect(body.details.database).toEqual({ status: 'up' });
    expect(body.details.redis).toEqual({ status: 'up' });
    expect((await fetch(`${plain.url}/graphql`)).headers.get('x-powered-by')).toBeNull();
  });

  it('adds response times for the metrics token', async () => {
    const { body } = await ready(plain.url, { authorization: `Bearer ${METRICS_TOKEN}` });
    expect(body.details.redis).toEqual({ status: 'up', responseTime: expect.any(Number) });
    const wrong = await ready(plain.url, { authorization: 'Bearer not-the-metrics-token' });
    expect(wrong.body.details.redis).toEqual({ status: 'up' });
  });

  it('adds response times when asked from a trusted proxy', async () => {
    const app = await startApp({ DATABASE_URL: db.url, TRUSTED_PROXIES: '127.0.0.1' });
    try {
      const { body } = await ready(app.url);
      expect(body.details.database).toEqual({ status: 'up', responseTime: expect.any(Number) });
    } finally {
      await app.close();
    }
  });
});
