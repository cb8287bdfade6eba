/**
 * Which channels the subscriber connection hears, kept in step with which channels someone
 * wants. Wants change one at a time (a subscription starts, a socket closes); Redis is told once
 * per turn of the event loop, with one SUBSCRIBE and one UNSUBSCRIBE naming every channel that
 * changed. In a reconnect storm thousands of subscriptions start within a few turns, and one
 * command per channel was the largest part of a resume's own time (bench/README.md, "Round
 * three: the reconnect storm").
 *
 * `sent` is what Redis will hear once the commands already written have run: commands on one
 * connection run in order, so comparing it with what is wanted says what to send next, however
 * wants flip while commands are on their way. Each channel in it keeps the number of the
 * SUBSCRIBE that put it there: only that command's answer tells its waiters they hear it.
 */
import { Logger } from '@nestjs/common';
import type { Cluster, Redis } from 'ioredis';

/** Channels per command: a bounded command, however many subscriptions start at once. */
export const CHANNELS_PER_COMMAND = 1000;
const FIRST_RETRY_MS = 100;
const LAST_RETRY_MS = 2000;

interface Waiter {
  done: Promise<void>;
  resolve: () => void;
}

export class ChannelSubscriptions {
  private readonly logger = new Logger('PubSub');
  private readonly sharded: boolean;
  private readonly sent = new Map<string, number>();
  private commands = 0;
  private readonly changed = new Set<string>();
  /** Channels wanted whose SUBSCRIBE has not been answered yet. */
  private readonly waiting = new Map<string, Waiter>();
  private flushing: NodeJS.Immediate | null = null;
  private retryMs = FIRST_RETRY_MS;
  private closed = false;

  constructor(
    private readonly subscriber: Redis | Cluster,
    /** Whether someone still wants the channel, asked when its command is about to go. */
    private readonly wanted: (channel: string) => boolean,
  ) {
    this.sharded = subscriber.isCluster;
  }

  /** Resolves once Redis has confirmed the subscription (at once if it already has). */
  want(channel: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    // Sent and answered: heard already. Sent and on its way: its answer settles the waiter.
    if (!this.sent.has(channel)) this.markChanged(channel);
    else if (!this.waiting.has(channel)) return Promise.resolve();
    let waiter = this.waiting.get(channel);
    if (!waiter) {
      let resolve!: () => void;
      const done = new Promise<void>((r) => (resolve = r));
      waiter = { done, resolve };
      this.waiting.set(channel, waiter);
    }
    return waiter.done;
  }

  /** Nobody wants the channel any more (`wanted` says false from now on). */
  release(channel: string): void {
    if (!this.closed) this.markChanged(channel);
  }

  /** Before the connections close: nothing more is sent, and nobody is left waiting. */
  close(): void {
    this.closed = true;
    if (this.flushing) clearImmediate(this.flushing);
    for (const waiter of this.waiting.values()) waiter.resolve();
    this.waiting.clear();
  }

  private markChanged(channel: string): void {
    this.changed.add(channel);
    this.flushing ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushing = null;
    const subscribe: string[] = [];
    const unsubscribe: string[] = [];
    for (const channel of this.changed) {
      const wanted = this.wanted(channel);
      if (wanted && !this.sent.has(channel)) subscribe.push(channel);
      else if (!wanted && this.sent.has(channel)) unsubscribe.push(channel);
      else if (!wanted) this.settle(channel);
    }
    this.changed.clear();
    for (const c of unsubscribe) this.sent.delete(c);
    for (const chunk of chunks(unsubscribe)) this.unsubscribe(chunk);
    for (const chunk of chunks(subscribe)) void this.subscribe(chunk);
  }

  private async subscribe(channels: string[]): Promise<void> {
    const command = ++this.commands;
    for (const c of channels) this.sent.set(c, command);
    const results = await this.send('subscribe', channels);
    // A channel given up (and maybe asked for again) while this was on its way is not this
    // command's any more: a later one answers for it.
    const failed: string[] = [];
    channels.forEach((c, i) => {
      if (this.sent.get(c) !== command) return;
      if (results[i] === undefined) this.settle(c);
      else failed.push(c);
    });
    if (failed.length === 0) {
      this.retryMs = FIRST_RETRY_MS;
      return;
    }
    // One Redis server queues commands until it is back; a cluster in the middle of a failover
    // refuses them instead ("too many redirections"), and a subscription must not fail for that.
    const delay = this.retryMs;
    this.retryMs = Math.min(2 * delay, LAST_RETRY_MS);
    this.logger.warn(
      `subscribing failed, retrying in ${delay} ms: ${String(results.find(Boolean))}`,
    );
    for (const c of failed) this.sent.delete(c);
    setTimeout(() => {
      if (!this.closed) for (const c of failed) this.markChanged(c);
    }, delay).unref();
  }

  private unsubscribe(channels: string[]): void {
    // Still hearing a channel nobody listens to is harmless: the pub/sub finds no handlers.
    void this.send('unsubscribe', channels).then((results) => {
      const error = results.find(Boolean);
      if (error) this.logger.warn(`unsubscribe from a channel failed: ${String(error)}`);
    });
  }

  /**
   * One command for all on one server. A cluster's sharded commands may name channels of one
   * slot only, so there each channel is its own command (ioredis pipelines them per node).
   * Returns each channel's error, or undefined where it succeeded.
   */
  private async send(what: 'subscribe' | 'unsubscribe', channels: string[]): Promise<unknown[]> {
    if (!this.sharded) {
      const redis = this.subscriber as Redis;
      try {
        await (what === 'subscribe'
          ? redis.subscribe(...channels)
          : redis.unsubscribe(...channels));
        return channels.map(() => undefined);
      } catch (error) {
        return channels.map(() => error ?? new Error('failed'));
      }
    }
    const cluster = this.subscriber as Cluster;
    const settled = await Promise.allSettled(
      channels.map((c) => (what === 'subscribe' ? cluster.ssubscribe(c) : cluster.sunsubscribe(c))),
    );
    return settled.map((s) =>
      s.status === 'rejected' ? (s.reason ?? new Error('failed')) : undefined,
    );
  }

  private settle(channel: string): void {
    this.waiting.get(channel)?.resolve();
    this.waiting.delete(channel);
  }
}

function chunks(channels: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < channels.length; i += CHANNELS_PER_COMMAND)
    out.push(channels.slice(i, i + CHANNELS_PER_COMMAND));
  return out;
}
