import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MembershipEvents } from '../conversations/membership.events.js';
import type { MessageEvents } from '../messages/message.events.js';
import type { Channels } from '../pubsub/channels.js';
import type { EventBus } from '../pubsub/event-bus.js';
import { ReadReceipts, RECEIPT_INTERVAL_MS } from './read-receipts.js';

describe('ReadReceipts coalescing', () => {
  let published: { channels: readonly string[]; payload: object }[];
  let receipts: ReadReceipts;

  beforeEach(() => {
    vi.useFakeTimers();
    published = [];
    const bus = {
      publish: (channels: readonly string[], payload: object) => {
        published.push({ channels, payload });
        return Promise.resolve();
      },
    } as unknown as EventBus;
    const channels = { user: (id: string) => `user:${id}` } as unknown as Channels;
    receipts = new ReadReceipts(bus, channels, {} as MessageEvents, {} as MembershipEvents);
  });
  afterEach(() => {
    receipts.onModuleDestroy();
    vi.useRealTimers();
  });

  const seqs = () => published.map((p) => (p.payload as { lastReadSeq: number }).lastReadSeq);

  it('sends the first at once, then only the newest of each second', () => {
    receipts.published({ conversationId: 'c', userId: 'u', lastReadSeq: 1 }, ['u', 'v']);
    expect(seqs()).toEqual([1]);
    expect(published[0].channels).toEqual(['user:u', 'user:v']);
    receipts.published({ conversationId: 'c', userId: 'u', lastReadSeq: 2 }, ['u', 'v']);
    receipts.published({ conversationId: 'c', userId: 'u', lastReadSeq: 3 }, ['u', 'v']);
    expect(seqs()).toEqual([1]);
    vi.advanceTimersByTime(RECEIPT_INTERVAL_MS);
    expect(seqs()).toEqual([1, 3]);
    // The held receipt opened a window of its own.
    receipts.published({ conversationId: 'c', userId: 'u', lastReadSeq: 4 }, ['u', 'v']);
    expect(seqs()).toEqual([1, 3]);
    vi.advanceTimersByTime(RECEIPT_INTERVAL_MS);
    expect(seqs()).toEqual([1, 3, 4]);
    // A quiet second closes the window: the next goes out at once.
    vi.advanceTimersByTime(RECEIPT_INTERVAL_MS);
    receipts.published({ conversationId: 'c', userId: 'u', lastReadSeq: 5 }, ['u', 'v']);
    expect(seqs()).toEqual([1, 3, 4, 5]);
  });

  it('holds the highest of a second, whatever order the marks arrive in', () => {
    receipts.published({ conversationId: 'c', userId: 'u', lastReadSeq: 1 }, ['u']);
    receipts.published({ conversationId: 'c', userId: 'u', lastReadSeq: 9 }, ['u']);
    receipts.published({ conversationId: 'c', userId: 'u', lastReadSeq: 4 }, ['u']);
    vi.advanceTimersByTime(RECEIPT_INTERVAL_MS);
    expect(seqs()).toEqual([1, 9]);
  });

  it('coalesces per reader and conversation, not across them', () => {
    receipts.published({ conversationId: 'c', userId: 'u', lastReadSeq: 1 }, ['u']);
    receipts.published({ conversationId: 'c', userId: 'v', lastReadSeq: 1 }, ['v']);
    receipts.published({ conversationId: 'd', userId: 'u', lastReadSeq: 7 }, ['u']);
    expect(seqs()).toEqual([1, 1, 7]);
  });
});
