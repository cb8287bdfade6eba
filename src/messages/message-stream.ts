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
import type { Message } from './message.entity.js';
import { MessageEvents } from './message-events.js';
import { MessageHydrator } from './message-hydrator.js';
import { MessagesRepository } from './messages.repository.js';
import { PushStream } from './push-stream.js';

const REPLAY_BATCH = 500;

export interface MessageStreamOptions {
  conversationId?: string;
  afterSeq?: number;
}

@Injectable()
export class MessageStream {
  constructor(
    private readonly events: MessageEvents,
    private readonly messages: MessagesRepository,
    private readonly conversations: ConversationsService,
    private readonly hydrator: MessageHydrator,
  ) {}

  /** Checks access first (NOT_FOUND for a foreign conversation), then streams. */
  async open(
    userId: string,
    options: MessageStreamOptions,
  ): Promise<AsyncIterableIterator<Message>> {
    const { conversationId } = options;
    if (conversationId === undefined) return this.allConversations(userId);
    await this.conversations.assertParticipant(conversationId, userId);
    return this.oneConversation(userId, conversationId, options.afterSeq);
  }

  /** The hot path (one push per delivered message): a PushStream, listening from the start. */
  private async allConversations(userId: string): Promise<AsyncIterableIterator<Message>> {
    let unlisten = () => {};
    const stream = new PushStream<Message>(() => unlisten());
    // The stream is handed out only after this, so it cannot have ended before.
    unlisten = await this.events.listen(userId, (event) => stream.push(event.message));
    return stream;
  }

  private oneConversation(
    userId: string,
    conversationId: string,
    afterSeq: number | undefined,
  ): AsyncIterableIterator<Message> {
    return new Repeater<Message>(async (push, stop) => {
      let lastSent = 0;
      let live = false;
      const pending: Message[] = [];
      // Serialises deliveries: a gap fill must finish before the next live event is looked at.
      let queue = Promise.resolve();

      const deliver = async (message: Message) => {
        if (message.seq <= lastSent) return;
        if (message.seq > lastSent + 1) {
          for (const missed of await this.replay(conversationId, lastSent, message.seq)) {
            await push(missed);
            lastSent = missed.seq;
          }
        }
        await push(message);
        lastSent = message.seq;
      };

      // Listen before reading the database, so nothing committed meanwhile falls between.
      const unlisten = await this.events.listen(userId, ({ message }) => {
        if (message.conversationId !== conversationId) return;
        if (!live) pending.push(message);
        else queue = queue.then(() => deliver(message)).catch(stop);
      });
      try {
        if (afterSeq === undefined) {
          lastSent = await this.conversations.lastSeq(conversationId);
        } else {
          lastSent = afterSeq;
          for (;;) {
            const batch = await this.replay(conversationId, lastSent, undefined);
            for (const message of batch) {
              await push(message);
              lastSent = message.seq;
            }
            if (batch.length < REPLAY_BATCH) break;
          }
        }
        live = true;
        pending.sort((a, b) => a.seq - b.seq);
        queue = queue.then(async () => {
          for (const message of pending.splice(0)) await deliver(message);
        });
        await queue;
      } catch (error) {
        stop(error);
      }
      await stop;
      unlisten();
    });
  }

  /** Stored messages, with senders and attachments filled in once per batch. */
  private async replay(
    conversationId: string,
    afterSeq: number,
    beforeSeq: number | undefined,
  ): Promise<Message[]> {
    const page = await this.messages.findPageAfter(
      conversationId,
      afterSeq,
      beforeSeq,
      REPLAY_BATCH,
    );
    return this.hydrator.hydrate(page);
  }
}
