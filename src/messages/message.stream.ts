/**
 * The `messageAdded` stream of one subscriber.
 *
 * Without a conversation: every message of every conversation the user is in when it is sent,
 * as published. With a conversation: that conversation's messages strictly in seq order without
 * gaps — starting after `afterSeq` (replayed from PostgreSQL) or after the newest message at
 * subscription time. Live events are buffered while the replay runs and deduplicated by seq at the
 * switch; an event that arrives ahead of a missing seq (publishes from two instances can overtake
 * each other, and Redis may drop one) is preceded by the missing ones, read from PostgreSQL.
 */
import { Injectable } from '@nestjs/common';
import { Repeater } from '@repeaterjs/repeater';
import { ConversationsService } from '../conversations/conversations.service.js';
import { MembershipEvents } from '../conversations/membership.events.js';
import type { MessageWithDetails } from './message-with-details.js';
import { MessageEvents } from './message.events.js';
import { MessageHydrator } from './message.hydrator.js';
import { MessagesRepository } from './messages.repository.js';
import { PushStream } from '../common/streams/push.stream.js';
import { SharedReads } from '../common/streams/shared-reads.js';

const REPLAY_BATCH = 500;
/** Live events a conversation subscriber may have waiting before it is let go. */
const MAX_BEHIND = 1024;

/** Wraps a function so that only its first call does anything. */
function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}

export interface MessageStreamOptions {
  conversationId?: string;
  afterSeq?: number;
}

@Injectable()
export class MessageStream {
  /** Replays under way by (conversation, afterSeq, beforeSeq). */
  private readonly replays = new SharedReads<MessageWithDetails[]>();

  constructor(
    private readonly events: MessageEvents,
    private readonly messages: MessagesRepository,
    private readonly conversations: ConversationsService,
    private readonly hydrator: MessageHydrator,
    private readonly membershipEvents: MembershipEvents,
  ) {}

  /** Checks access first (NOT_FOUND for a foreign conversation), then streams. */
  async open(
    userId: string,
    options: MessageStreamOptions,
  ): Promise<AsyncIterableIterator<MessageWithDetails>> {
    const { conversationId } = options;
    if (conversationId === undefined) return this.allConversations(userId);

    // Listen before reading the database, so nothing committed meanwhile falls between.
    const early: MessageWithDetails[] = [];
    let onLive: ((message: MessageWithDetails) => void) | undefined;
    // A member who leaves or is removed: the stream completes after what came before.
    let departed = false;
    let onDeparture = () => void (departed = true);
    const offMessages = await this.events.listen(userId, (message) => {
      if (message.conversationId !== conversationId) return;
      if (onLive) onLive(message);
      else early.push(message);
    });
    const offMembership = await this.membershipEvents.listen(userId, (change) => {
      if (change.conversationId !== conversationId) return;
      if (change.events.some((e) => e.user.id === userId && !e.role)) onDeparture();
    });
    const unlisten = once(() => {
      offMessages();
      offMembership();
    });
    // Everything committed before now reaches this subscriber live or in a read started later.
    const listening = this.replays.listening();
    let lastSeq: number;
    try {
      // One query (shared by the subscriptions starting at once): the access check (strangers
      // get NOT_FOUND) and the newest seq.
      lastSeq = await this.conversations.lastSeqForMember(conversationId, userId);
    } catch (error) {
      unlisten();
      throw error;
    }

    const stream = new Repeater<MessageWithDetails>(async (push, stop) => {
      let lastSent = options.afterSeq ?? lastSeq;
      // Serialises deliveries: a gap fill must finish before the next live event is looked at.
      let queue = Promise.resolve();
      let queued = 0;

      /** Pushes the stored messages after lastSent (and before `before`), a batch at a time. */
      const catchUp = async (before?: number) => {
        for (;;) {
          const batch = await this.replay(conversationId, lastSent, before, listening);
          for (const message of batch) {
            await push(message);
            lastSent = message.seq;
          }
          if (batch.length < REPLAY_BATCH) return;
        }
      };
      const deliver = async (message: MessageWithDetails) => {
        if (message.seq <= lastSent) return;
        if (message.seq > lastSent + 1) await catchUp(message.seq);
        await push(message);
        lastSent = message.seq;
      };
      const enqueue = (message: MessageWithDetails) => {
        // A reader this far behind is let go; it resumes from PostgreSQL with afterSeq.
        if (++queued > MAX_BEHIND)
          return stop(new Error(`Subscriber more than ${MAX_BEHIND} events behind`));
        queue = queue
          .then(() => deliver(message))
          .then(() => void queued--)
          .catch(stop);
      };

      onDeparture = () => {
        queue = queue.then(() => stop());
      };
      if (departed) onDeparture();
      try {
        if (lastSent < lastSeq) await catchUp();
        onLive = enqueue;
        for (const message of early.sort((a, b) => a.seq - b.seq).splice(0)) enqueue(message);
        await queue;
      } catch (error) {
        stop(error);
      }
      await stop;
      unlisten();
    });
    // A subscription ended before its first event never runs the executor: let go here too.
    const finish = stream.return.bind(stream);
    stream.return = (value?: PromiseLike<undefined> | undefined) => {
      unlisten();
      return finish(value);
    };
    return stream;
  }

  /** The hot path (one push per delivered message): a PushStream, listening from the start. */
  private async allConversations(
    userId: string,
  ): Promise<AsyncIterableIterator<MessageWithDetails>> {
    let unlisten = () => {};
    const stream = new PushStream<MessageWithDetails>(() => unlisten());
    // The stream is handed out only after this, so it cannot have ended before.
    unlisten = await this.events.listen(userId, (message) => stream.push(message));
    return stream;
  }

  /**
   * Stored messages, with senders and attachments filled in once per batch. Subscribers resuming
   * the same conversation from the same seq at once (a reconnect storm: every member of a group)
   * share one read, but only one that started after the subscriber was listening (`listening`),
   * so it cannot miss a message published before that.
   */
  private replay(
    conversationId: string,
    afterSeq: number,
    beforeSeq: number | undefined,
    listening: number,
  ): Promise<MessageWithDetails[]> {
    return this.replays.read(`${conversationId}:${afterSeq}:${beforeSeq ?? ''}`, listening, () =>
      this.readReplay(conversationId, afterSeq, beforeSeq),
    );
  }

  private async readReplay(
    conversationId: string,
    afterSeq: number,
    beforeSeq: number | undefined,
  ): Promise<MessageWithDetails[]> {
    const page = await this.messages.findPageAfter(
      conversationId,
      afterSeq,
      beforeSeq,
      REPLAY_BATCH,
    );
    return this.hydrator.hydrate(page);
  }
}
