/**
 * Presence publishes (server only; the floor has no presence): the target is one Redis PUBLISH
 * per real presence change. Listens on `<prefix>presence:*` while one user goes online (first
 * connection), opens a second connection on the other instance (no change), and goes offline
 * (both closed; waited for, and counted two sweeps later). Expected: 2 publishes for 2 changes,
 * and the OFFLINE about a grace period after the close.
 */
import { Redis } from 'ioredis';
import { connect } from '../load/clients.load.js';
import type { BenchContext, ScenarioResult } from '../load/context.load.js';
import { prefixOf } from '../load/targets.load.js';
import { sleep, until } from '../../test/support/wait.js';

const scenario = 'presence: Redis publishes per presence change';

export async function presenceScenario(ctx: BenchContext): Promise<ScenarioResult> {
  const { user } = ctx.fixtures.presence;
  const [a, b] = ctx.instances.server;
  const listener = new Redis(ctx.options.redisUrl);
  const published: string[] = [];
  listener.on('pmessage', (_pattern: string, channel: string) => published.push(channel));
  await listener.psubscribe(`${prefixOf(ctx.options, 'server')}presence:*`);
  const ours = () => published.filter((c) => c.endsWith(user.id)).length;
  try {
    const first = await connect('server', a.wsUrl, user.token);
    await sleep(1500);
    const online = ours();
    const second = await connect('server', b.wsUrl, user.token);
    await sleep(1500);
    const secondConnection = ours() - online;
    const closedAt = performance.now();
    first.close();
    second.close();
    // Grace (PRESENCE_GRACE_MS=1000 in the bench) plus a sweep (every second). Waited for, not
    // slept: straight after the storm the instances are still releasing its 10,000 sockets.
    await until(() => ours() > online + secondConnection, 30_000, 10);
    const offlineAfterS = (performance.now() - closedAt) / 1000;
    // Then two more sweeps of each instance: a second OFFLINE would come in them.
    await sleep(2000);
    const total = ours();
    return {
      rows: [
        {
          scenario,
          metric: 'publishes per change',
          unit: '',
          floor: null,
          server: total / 2,
          better: 'lower',
          target: '1',
          met: online === 1 && secondConnection === 0 && total === 2,
          note: `online ${online}, second connection ${secondConnection}, offline ${total - online - secondConnection}`,
        },
        {
          scenario,
          metric: 'OFFLINE heard after the last close (grace 1 s)',
          unit: 's',
          floor: null,
          server: offlineAfterS,
          better: 'lower',
        },
      ],
      detail: {
        online,
        secondConnection,
        offline: total - online - secondConnection,
        offlineAfterS,
      },
    };
  } finally {
    listener.disconnect();
  }
}
