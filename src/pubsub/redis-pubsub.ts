/**
 * Pub/sub over Redis for the event bus: one Redis subscription per channel however many local
 * handlers listen on it (subscribed in batches: channel-subscriptions.ts), each payload decoded
 * once for all of them. On one Redis server it uses
 * SUBSCRIBE/PUBLISH; on a Redis Cluster, sharded pub/sub (SSUBSCRIBE/SPUBLISH), so a message is
 * handled only by the shard that owns its channel's slot instead of being broadcast to every
 * node. ioredis resubscribes after reconnects, failovers and slot moves.
 * (Replaces graphql-redis-subscriptions, which knows neither sharded pub/sub nor ioredis 6.)
 */
import { Logger } from '@nestjs/common';
import { PubSubEngine } from 'graphql-subscriptions';
import type { Cluster, Redis } from 'ioredis';
import type { Deserializer } from './shared-payloads.js';
import { withTimeout } from '../common/timers/with-timeout.js';
import { ChannelSubscriptions } from './channel-subscriptions.js';

/** A Redis connection for commands: one server, or a cluster. */
export type RedisClient = Redis | Cluster;

/**
 * How long a publish may wait for Redis. A cluster master that just died holds commands until its
 * replica takes over (seconds), and a stalled server holds them until it answers; the sender must
 * not wait for either. A late or lost publish costs
 * latency, not data: subscribers read the gap from PostgreSQL.
 */
export const PUBLISH_TIMEOUT_MS = 500;

/**
 * Sends `json` to every channel in one round trip per Redis node: one script on one server, and
 * on a cluster SPUBLISHes that ioredis's auto-pipelining groups by the node owning each slot (a
 * pipeline must not cross slots there). Rejects after PUBLISH_TIMEOUT_MS.
 */
export async function publishAll(
  redis: RedisClient,
  channels: readonly string[],
  json: string,
): Promise<void> {
  // A server that holds the connection open without answering (paused, partitioned) would hold
  // the send with it: every publish gives up after PUBLISH_TIMEOUT_MS, on one server or a cluster.
  const sent: Promise<unknown> = !redis.isCluster
    ? channels.length === 1
      ? redis.publish(channels[0], json)
      : publishScript(redis as Redis)(json, ...channels)
    : publishSharded(redis as Cluster, channels, json);
  await withTimeout(
    sent,
    PUBLISH_TIMEOUT_MS,
    () => new Error(`no answer from Redis within ${PUBLISH_TIMEOUT_MS} ms`),
  );
}

function publishSharded(cluster: Cluster, channels: readonly string[], json: string) {
  return Promise.all(
    channels.map((channel) =>
      cluster.spublish(channel, json).catch(async (error: unknown) => {
        // After a slot moves, the old master answers MOVED. ioredis follows that itself only
        // when every command of the auto-pipeline it rode in failed alike; beside one that
        // succeeded (another channel or key on that node), the MOVED comes back here with the
        // slot map untouched, and every later publish would go to the old master too.
        if (!(error instanceof Error) || !error.message.startsWith('MOVED ')) throw error;
        await new Promise<void>((resolve) => cluster.refreshSlotsCache(() => resolve()));
        return cluster.spublish(channel, json);
      }),
    ),
  );
}

/**
 * PUBLISH of one payload to every channel, run by Redis: one command however many channels, where a
 * pipeline of PUBLISHes costs the client a command object, a promise and an encoding each (for 1,000
 * channels ~5.5 ms of CPU per send against ~0.6 ms, and half Redis's CPU; bench/README.md, "Round
 * two, the send path (continued)"). Not on a cluster, where channels of one send live on many
 * nodes and a script may touch one slot only.
 */
const PUBLISH_ALL = `local n = 0
for i = 2, #ARGV do n = n + redis.call('PUBLISH', ARGV[i], ARGV[1]) end
return n`;

type PublishScript = (json: string, ...channels: string[]) => Promise<number>;

function publishScript(redis: Redis): PublishScript {
  // ioredis sends EVALSHA, and the script itself when Redis answers NOSCRIPT (after a restart).
  if (!('chatPublishAll' in redis))
    redis.defineCommand('chatPublishAll', { lua: PUBLISH_ALL, numberOfKeys: 0 });
  const script = (redis as unknown as { chatPublishAll: PublishScript }).chatPublishAll;
  return script.bind(redis);
}

type Handler = (payload: unknown) => void;

export class RedisPubSub extends PubSubEngine {
  private readonly logger = new Logger('PubSub');
  private nextId = 0;
  private readonly handlers = new Map<number, { channel: string; handler: Handler }>();
  private readonly byChannel = new Map<string, Set<number>>();
  private readonly channels: ChannelSubscriptions;

  constructor(
    private readonly publisher: RedisClient,
    subscriber: RedisClient,
    private readonly deserialize: Deserializer,
  ) {
    super();
    this.channels = new ChannelSubscriptions(subscriber, (channel) => this.byChannel.has(channel));
    const event = subscriber.isCluster ? 'smessageBuffer' : 'messageBuffer';
    subscriber.on(event, (channel: Buffer, message: Buffer) =>
      this.deliver(channel.toString(), message),
    );
  }

  async publish(channel: string, payload: unknown): Promise<void> {
    await publishAll(this.publisher, [channel], JSON.stringify(payload));
  }

  /** Resolves once Redis delivers the channel's messages here (a later subscriber: at once). */
  async subscribe(channel: string, onMessage: Handler): Promise<number> {
    const id = ++this.nextId;
    this.handlers.set(id, { channel, handler: onMessage });
    let ids = this.byChannel.get(channel);
    if (!ids) {
      ids = new Set();
      this.byChannel.set(channel, ids);
    }
    ids.add(id);
    await this.channels.want(channel);
    return id;
  }

  /** Before the connections close: a subscription still waiting for Redis stops waiting. */
  close(): void {
    this.channels.close();
  }

  unsubscribe(id: number): void {
    const entry = this.handlers.get(id);
    if (!entry) return;
    this.handlers.delete(id);
    const ids = this.byChannel.get(entry.channel);
    if (!ids) return;
    ids.delete(id);
    if (ids.size > 0) return;
    this.byChannel.delete(entry.channel);
    this.channels.release(entry.channel);
  }

  private deliver(channel: string, message: Buffer): void {
    const ids = this.byChannel.get(channel);
    if (!ids || ids.size === 0) return;
    let payload: unknown;
    try {
      payload = this.deserialize(message);
    } catch {
      this.logger.warn('dropped a payload that is not JSON');
      return;
    }
    for (const id of [...ids]) {
      try {
        this.handlers.get(id)?.handler(payload);
      } catch (error) {
        this.logger.error(`a subscriber failed on its event: ${String(error)}`);
      }
    }
  }
}
