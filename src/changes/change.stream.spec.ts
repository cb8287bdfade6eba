/**
 * The resume of conversationEvents when many subscribers resume at once (a reconnect storm), with
 * a fake bus (payloads pushed by hand) and fake reads: the access checks and positions of one
 * turn are one query, a replay is shared only by subscribers resuming the same conversation from
 * the same eventSeq that were listening before it started, and each gets exactly its events.
 */
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../common/errors/domain-error.js';
import type { Conversation } from '../conversations/conversation.entity.js';
import type { ConversationsService } from '../conversations/conversations.service.js';
import type { MembershipEvents } from '../conversations/membership.events.js';
import { MessageChange } from '../messages/message.entity.js';
import type { MessageEvents } from '../messages/message.events.js';
import type { MessageWithDetails } from '../messages/message-with-details.js';
import type { Channels } from '../pubsub/channels.js';
import type { EventBus } from '../pubsub/event-bus.js';
import { ChangeStream } from './change.stream.js';
import type { ChangesReader } from './changes.reader.js';
import type { ChangesRepository, MemberPosition } from './changes.repository.js';
import { messageEventOf, type ConversationChangeEvent } from './conversation-change.js';

const CONVERSATION = 'c1';
const MEMBERS = ['u1', 'u2', 'u3'];

/** A stored message change, as far as the stream looks at it. */
function change(eventSeq: number): MessageWithDetails {
  return {
    conversationId: CONVERSATION,
    eventSeq,
    seq: eventSeq,
    lastChange: MessageChange.MESSAGE_CREATED,
  } as MessageWithDetails;
}

function setup(stored: number) {
  const handlers = new Map<string, Set<(payload: unknown) => void>>();
  const messages = Array.from({ length: stored }, (_, i) => change(i + 1));
  const reads: [number, number | undefined][] = [];
  const positionQueries: MemberPosition[][] = [];
  let slowReads: Promise<void> | undefined;
  const bus = {
    subscribe: (channel: string, handler: (payload: unknown) => void) => {
      const set = handlers.get(channel) ?? new Set();
      handlers.set(channel, set.add(handler));
      return Promise.resolve(() => void set.delete(handler));
    },
  };
  const repository = {
    lastEventSeqsForMembers: (pairs: MemberPosition[]) => {
      positionQueries.push([...pairs]);
      const found = new Map<string, number>();
      for (const p of pairs) {
        if (MEMBERS.includes(p.userId))
          found.set(`${p.conversationId}:${p.userId}`, messages.length);
      }
      return Promise.resolve(found);
    },
  };
  const reader = {
    async changesBetween(conversation: Conversation, after: number, before: number | undefined) {
      reads.push([after, before]);
      await slowReads;
      const bound = Math.min(before ?? Infinity, conversation.lastEventSeq + 1);
      return messages.filter((m) => m.eventSeq > after && m.eventSeq < bound).map(messageEventOf);
    },
  };
  const conversations = {
    getById: () => Promise.resolve({ id: CONVERSATION, lastEventSeq: messages.length }),
  };
  const stream = new ChangeStream(
    { messageOf: (payload: unknown) => payload } as unknown as MessageEvents,
    { changeOf: () => undefined, updateOf: () => undefined } as unknown as MembershipEvents,
    conversations as unknown as ConversationsService,
    reader as unknown as ChangesReader,
    bus as unknown as EventBus,
    { user: (id: string) => id } as unknown as Channels,
    repository as unknown as ChangesRepository,
  );
  return {
    open: (userId: string, after?: number) => stream.open(userId, CONVERSATION, after),
    reads,
    positionQueries,
    /** Stores the next change and publishes it to every member listening. */
    commit: () => {
      const next = change(messages.length + 1);
      messages.push(next);
      for (const userId of MEMBERS) for (const h of handlers.get(userId) ?? []) h(next);
    },
    holdReads: () => {
      let release!: () => void;
      slowReads = new Promise((resolve) => (release = resolve));
      return () => {
        slowReads = undefined;
        release();
      };
    },
  };
}

async function take(stream: AsyncIterator<ConversationChangeEvent>, count: number) {
  const seqs: number[] = [];
  while (seqs.length < count) {
    const next = await stream.next();
    if (next.done) throw new Error(`ended after ${seqs.join(',')}`);
    seqs.push(next.value.eventSeq);
  }
  return seqs;
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('ChangeStream resumes at once', () => {
  it('checks access and reads the positions of one turn in one query', async () => {
    const world = setup(3);
    const opened = await Promise.allSettled(
      ['u1', 'u2', 'stranger', 'u3'].map((u) => world.open(u, 1)),
    );
    expect(opened.map((o) => o.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((opened[2] as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError);
    expect(world.positionQueries).toHaveLength(1);
    expect(world.positionQueries[0].map((p) => p.userId)).toEqual(['u1', 'u2', 'stranger', 'u3']);
    const streams = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    expect(await Promise.all(streams.map((s) => take(s, 2)))).toEqual([
      [2, 3],
      [2, 3],
      [2, 3],
    ]);
    for (const s of streams) await s.return?.();
  });

  it('shares one replay among subscribers resuming from the same eventSeq, and not others', async () => {
    const world = setup(5);
    const release = world.holdReads();
    const [a, b, c] = await Promise.all([
      world.open('u1', 2),
      world.open('u2', 2),
      world.open('u3', 4),
    ]);
    const seqs = Promise.all([take(a, 4), take(b, 4), take(c, 2)]);
    await nextTurn();
    world.commit(); // 6, live while the replays are under way
    release();
    expect(await seqs).toEqual([
      [3, 4, 5, 6],
      [3, 4, 5, 6],
      [5, 6],
    ]);
    expect(world.reads).toEqual([
      [2, undefined],
      [4, undefined],
    ]);
    for (const s of [a, b, c]) await s.return?.();
  });

  it('does not join a replay that started before the subscriber was listening', async () => {
    const world = setup(5);
    const release = world.holdReads();
    const a = await world.open('u1', 2);
    const seqsOfA = take(a, 4);
    await nextTurn();
    // Committed while A's read is under way, before B listens: B must read on its own (A's read
    // may be bounded by a counter read before 6, and B hears nothing published before it listened).
    world.commit();
    const b = await world.open('u2', 2);
    const seqsOfB = take(b, 4);
    await nextTurn();
    release();
    expect(await seqsOfA).toEqual([3, 4, 5, 6]);
    expect(await seqsOfB).toEqual([3, 4, 5, 6]);
    expect(world.reads).toEqual([
      [2, undefined],
      [2, undefined],
    ]);
    for (const s of [a, b]) await s.return?.();
  });
});
