/**
 * The conversation stream of messageAdded, with a fake bus (events pushed by hand, in any order)
 * and a fake repository: gap filling, overtaken publishes, the switch from replay to live, and
 * the bound on how far a reader may fall behind. Every absence is checked after a later message
 * (a sentinel) has come through the same stream.
 */
import { describe, expect, it } from 'vitest';
import type { ConversationsService } from '../conversations/conversations.service.js';
import type { User } from '../users/user.entity.js';
import { MessageChange, type Message } from './message.entity.js';
import type { MembershipEvents } from '../conversations/membership.events.js';
import type { MessageEvents } from './message.events.js';
import type { MessageHydrator } from './message.hydrator.js';
import { MessageStream } from './message.stream.js';
import { withDetails, type MessageWithDetails } from './message-with-details.js';
import type { MessagesRepository } from './messages.repository.js';

const CONVERSATION = 'c1';
const sender: User = {
  id: 'u1',
  username: 'alice',
  displayName: 'Alice',
  avatarUrl: null,
  createdAt: new Date(0),
  lastSeenAt: null,
};

function message(seq: number, conversationId = CONVERSATION): MessageWithDetails {
  const stored: Message = {
    id: `m${seq}`,
    conversationId,
    seq,
    senderId: sender.id,
    text: `#${seq}`,
    clientMessageId: null,
    createdAt: new Date(seq * 1000),
    eventSeq: seq,
    lastChange: MessageChange.MESSAGE_CREATED,
    editedAt: null,
    deletedAt: null,
    replyToId: null,
    mentionedUserIds: [],
  };
  return withDetails(stored, {
    sender,
    attachments: [],
    reactions: [],
    replyTo: null,
    mentions: [],
  });
}

/** The fake world of one subscriber: a bus, a stored conversation, and the stream under test. */
function setup(options: { stored: number; lastSeq?: number }) {
  const handlers = new Set<(m: MessageWithDetails) => void>();
  const bus = {
    listen: (_userId: string, handler: (m: MessageWithDetails) => void) => {
      handlers.add(handler);
      return Promise.resolve(() => void handlers.delete(handler));
    },
  };
  const stored = Array.from({ length: options.stored }, (_, i) => message(i + 1));
  const reads: [number, number | undefined][] = [];
  /** While set, replays wait for it: a replay that takes its time. */
  let slowReplay: Promise<void> | undefined;
  const repository = {
    async findPageAfter(_c: string, after: number, before: number | undefined, limit: number) {
      reads.push([after, before]);
      await slowReplay;
      return stored
        .filter((m) => m.seq > after && (before === undefined || m.seq < before))
        .slice(0, limit);
    },
  };
  const conversations = {
    lastSeqForMember: () => Promise.resolve(options.lastSeq ?? options.stored),
  };
  const hydrator = { hydrate: (page: Message[]) => Promise.resolve(page) };
  // Membership changes are heard and never happen here.
  const membershipEvents = { listen: () => Promise.resolve(() => undefined) };
  const stream = new MessageStream(
    bus as unknown as MessageEvents,
    repository as unknown as MessagesRepository,
    conversations as unknown as ConversationsService,
    hydrator as unknown as MessageHydrator,
    membershipEvents as unknown as MembershipEvents,
  );
  return {
    stream,
    reads,
    /** Stores the message (as a commit would) without publishing it. */
    store: (seq: number) => void stored.push(message(seq)),
    /** Publishes to the subscriber, as the bus would deliver it. */
    publish: (m: MessageWithDetails) => handlers.forEach((h) => h(m)),
    listeners: () => handlers.size,
    holdReplays: () => {
      let release!: () => void;
      slowReplay = new Promise((resolve) => (release = resolve));
      return () => {
        slowReplay = undefined;
        release();
      };
    },
  };
}

async function take(stream: AsyncIterator<MessageWithDetails>, count: number): Promise<number[]> {
  const seqs: number[] = [];
  while (seqs.length < count) {
    const next = await stream.next();
    if (next.done) throw new Error(`ended after ${seqs.join(',')}`);
    seqs.push(next.value.seq);
  }
  return seqs;
}

describe('MessageStream of one conversation', () => {
  it('fills a gap from the repository before an event that arrives ahead of it', async () => {
    const world = setup({ stored: 2 });
    const stream = await world.stream.open('u1', { conversationId: CONVERSATION });
    const first = take(stream, 3);
    await Promise.resolve();
    world.store(3);
    world.store(4);
    world.store(5);
    // 3 and 4 were lost on the way (say, Redis dropped them): 5 comes alone.
    world.publish(message(5));
    expect(await first).toEqual([3, 4, 5]);
    expect(world.reads).toContainEqual([2, 5]);
    await stream.return?.();
  });

  it('drops a publish that was overtaken by a later one, once the gap is filled', async () => {
    const world = setup({ stored: 2 });
    const stream = await world.stream.open('u1', { conversationId: CONVERSATION });
    const first = take(stream, 2);
    await Promise.resolve();
    world.store(3);
    world.store(4);
    world.publish(message(4)); // overtook 3 (two instances publishing)
    expect(await first).toEqual([3, 4]);
    world.publish(message(3)); // the late one
    world.store(5);
    world.publish(message(5)); // the sentinel: had 3 been delivered again, it would come first
    expect(await take(stream, 1)).toEqual([5]);
    await stream.return?.();
  });

  it('replays from afterSeq, then goes live without repeating what arrived during the replay', async () => {
    const world = setup({ stored: 3 });
    const release = world.holdReplays();
    const stream = await world.stream.open('u1', { conversationId: CONVERSATION, afterSeq: 0 });
    const replayed = take(stream, 4);
    await Promise.resolve();
    // While the replay reads 1–3, 3 (already stored) and 4 arrive live.
    world.publish(message(3));
    world.store(4);
    world.publish(message(4));
    release();
    expect(await replayed).toEqual([1, 2, 3, 4]);
    world.store(5);
    world.publish(message(5));
    expect(await take(stream, 1)).toEqual([5]);
    await stream.return?.();
  });

  it('ignores other conversations, and stops listening when the subscriber stops', async () => {
    const world = setup({ stored: 0 });
    const stream = await world.stream.open('u1', { conversationId: CONVERSATION });
    const first = take(stream, 1);
    await Promise.resolve();
    world.publish(message(1, 'other'));
    world.store(1);
    world.publish(message(1));
    expect(await first).toEqual([1]);
    expect(world.listeners()).toBe(1);
    await stream.return?.();
    expect(world.listeners()).toBe(0);
  });

  it('lets a reader fall 1,024 events behind, and no further', async () => {
    const behind = async (count: number) => {
      const world = setup({ stored: 0 });
      const stream = await world.stream.open('u1', { conversationId: CONVERSATION });
      const first = stream.next(); // starts the stream; nothing more is read meanwhile
      await Promise.resolve();
      for (let seq = 1; seq <= count; seq++) {
        world.store(seq);
        world.publish(message(seq));
      }
      const seqs: number[] = [];
      try {
        const head = await first;
        if (!head.done) seqs.push(head.value.seq);
        while (seqs.length < count) {
          const next = await stream.next();
          if (next.done) return { seqs, ended: 'done' };
          seqs.push(next.value.seq);
        }
        return { seqs, ended: 'no' };
      } catch (error) {
        return { seqs, ended: (error as Error).message };
      }
    };
    const within = await behind(1024);
    expect(within.ended).toBe('no');
    expect(within.seqs).toEqual(Array.from({ length: 1024 }, (_, i) => i + 1));
    expect((await behind(1025)).ended).toBe('Subscriber more than 1024 events behind');
  });

  it('shares one replay among subscribers resuming the same conversation from the same seq', async () => {
    const world = setup({ stored: 5 });
    const release = world.holdReplays();
    const a = await world.stream.open('u1', { conversationId: CONVERSATION, afterSeq: 2 });
    const b = await world.stream.open('u2', { conversationId: CONVERSATION, afterSeq: 2 });
    const seqs = Promise.all([take(a, 3), take(b, 3)]);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(await seqs).toEqual([
      [3, 4, 5],
      [3, 4, 5],
    ]);
    expect(world.reads).toEqual([[2, undefined]]);
  });

  it('does not join a replay that started before the subscriber was listening', async () => {
    const world = setup({ stored: 5 });
    const release = world.holdReplays();
    const a = await world.stream.open('u1', { conversationId: CONVERSATION, afterSeq: 2 });
    const seqsOfA = take(a, 4);
    await new Promise((resolve) => setImmediate(resolve));
    // Published while A's read is under way, before B listens: B must read on its own.
    world.store(6);
    world.publish(message(6));
    const b = await world.stream.open('u2', { conversationId: CONVERSATION, afterSeq: 2 });
    const seqsOfB = take(b, 4);
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect(await seqsOfA).toEqual([3, 4, 5, 6]);
    expect(await seqsOfB).toEqual([3, 4, 5, 6]);
    expect(world.reads).toEqual([
      [2, undefined],
      [2, undefined],
    ]);
  });
});
