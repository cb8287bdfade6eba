/**
 * Publish and subscribe by channel name, over Redis (one server or a cluster) or in process.
 * Publishing to many channels serialises the payload once and sends every PUBLISH in one round
 * trip per Redis node, so a message to a group of N costs one JSON encoding, not N.
 */
import { Injectable, Logger, Optional } from '@nestjs/common';
import type { PubSubEngine } from 'graphql-subscriptions';
import { AppMetrics } from '../metrics/app.metrics.js';
import { InjectPubSub, InjectRedis } from './pubsub.tokens.js';
import { publishAll, type RedisClient } from './redis-pubsub.js';

@Injectable()
export class EventBus {
  private readonly logger = new Logger('EventBus');
  private handlers = 0;

  constructor(
    @InjectPubSub() private readonly pubSub: PubSubEngine,
    @InjectRedis() private readonly redis: RedisClient | null,
    // Optional only for unit specs that build a bus by hand; the app always has it.
    @Optional() private readonly metrics?: AppMetrics,
  ) {
    metrics?.subscriptions.from(() => this.handlers);
  }

  /**
   * Best effort: a failure (Redis down, or no answer within PUBLISH_TIMEOUT_MS) is logged, not
   * thrown. Everything published is also in PostgreSQL, and clients resume from there.
   */
  async publish(channels: readonly string[], payload: object): Promise<void> {
    if (channels.length === 0) return;
    // One observation per publish (a send is one publish, whatever the number of recipients).
    const done = this.metrics?.publishDuration.startTimer({
      event: this.metrics.eventLabel(payload),
    });
    try {
      if (this.redis) {
        await publishAll(this.redis, channels, JSON.stringify(payload));
      } else {
        await Promise.all(channels.map((channel) => this.pubSub.publish(channel, payload)));
      }
    } catch (error) {
      this.logger.warn(`publish to ${channels.length} channel(s) failed: ${String(error)}`);
    } finally {
      done?.();
    }
  }

  /** Calls `handler` for every payload on the channel until the returned function is called. */
  async subscribe<T>(channel: string, handler: (payload: T) => void): Promise<() => void> {
    const id = await this.pubSub.subscribe(channel, handler, {});
    this.handlers++;
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.handlers--;
      this.pubSub.unsubscribe(id);
    };
  }

  /** Handlers currently subscribed on this instance (a leak shows here first). */
  get activeSubscriptions(): number {
    return this.handlers;
  }
}
