/**
 * The `conversationEvents` stream of one subscriber. With a conversation: its changes strictly
 * in eventSeq order without gaps or repeats (see ordered.stream.ts), after `afterEventSeq`
 * (replayed from the rows) or from now; it completes after the subscriber's own departure. Without
 * one: every live change of every conversation the user is in, as published (including being
 * added to one: the new member's channel hears its MEMBER_JOINED).
 */
import { Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import { NotFoundError } from '../common/errors/domain-error.js';
import { openOrdered } from '../common/streams/ordered.stream.js';
import { PushStream } from '../common/streams/push.stream.js';
import { SharedReads } from '../common/streams/shared-reads.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { MembershipEvents } from '../conversations/membership.events.js';
import { MessageEvents } from '../messages/message.events.js';
import { Channels } from '../pubsub/channels.js';
import { EventBus } from '../pubsub/event-bus.js';
import { ChangesReader } from './changes.reader.js';
import { ChangesRepository, type MemberPosition } from './changes.repository.js';
import {
  conversationUpdatedEventOf,
  messageEventOf,
  type ConversationChangeEvent,
} from './conversation-change.js';

const REPLAY_BATCH = 500;

@Injectable()
export class ChangeStream {
  /** Replays under way by (conversation, after, before): see SharedReads. */
  private readonly replays = new SharedReads<ConversationChangeEvent[]>();

  constructor(
    private readonly messageEvents: MessageEvents,
    private readonly membershipEvents: MembershipEvents,
    private readonly conversations: ConversationsService,
    private readonly reader: ChangesReader,
    private readonly bus: EventBus,
    private readonly channels: Channels,
    private readonly repository: ChangesRepository,
  ) {}

  /** Checks access first (NOT_FOUND for a foreign conversation), then streams. */
  async open(
    userId: string,
    conversationId: string | undefined,
    afterEventSeq: number | undefined,
  ): Promise<AsyncIterableIterator<ConversationChangeEvent>> {
    if (conversationId === undefined) return this.allConversations(userId);
    let listening = 0;
    return openOrdered<ConversationChangeEvent>(
      {
        listen: async (handler) => {
          const unlisten = await this.listen(userId, (event) => {
            if (event.conversationId === conversationId) handler(event);
          });
          // Everything committed before now reaches this subscriber live or in a read started later.
          listening = this.replays.listening();
          return unlisten;
        },
        // The access check (strangers get NOT_FOUND) and the newest eventSeq, one query for the
        // subscriptions starting at once.
        position: () => this.positions.load({ conversationId, userId }),
        replay: (after, before) =>
          this.replays.read(`${conversationId}:${after}:${before ?? ''}`, listening, async () =>
            this.reader.changesBetween(
              await this.conversations.getById(conversationId),
              after,
              before,
              REPLAY_BATCH,
            ),
          ),
        batch: REPLAY_BATCH,
        numberOf: (event) => event.eventSeq,
        // A departed member gets their own MemberEvent, then nothing more.
        isLast: (event) => event.kind === 'member' && event.user.id === userId && !event.role,
      },
      afterEventSeq,
    );
  }

  private readonly positions = new DataLoader<MemberPosition, number>(
    async (pairs) => {
      const found = await this.repository.lastEventSeqsForMembers(pairs);
      return pairs.map(
        (p) => found.get(`${p.conversationId}:${p.userId}`) ?? new NotFoundError('Conversation'),
      );
    },
    // No cache (a position read later must be read then); a batch spans one turn of the event
    // loop, since each socket's message is its own macrotask.
    { cache: false, batchScheduleFn: (run) => setImmediate(run), maxBatchSize: 1000 },
  );

  private async allConversations(
    userId: string,
  ): Promise<AsyncIterableIterator<ConversationChangeEvent>> {
    let unlisten = () => {};
    const stream = new PushStream<ConversationChangeEvent>(() => unlisten());
    unlisten = await this.listen(userId, (event) => stream.push(event));
    return stream;
  }

  /** Every change addressed to the user (messages, memberships): one listener on the channel. */
  private listen(
    userId: string,
    handler: (event: ConversationChangeEvent) => void,
  ): Promise<() => void> {
    return this.bus.subscribe<unknown>(this.channels.user(userId), (payload) => {
      const message = this.messageEvents.messageOf(payload);
      if (message) return handler(messageEventOf(message));
      const membership = this.membershipEvents.changeOf(payload);
      if (membership) for (const event of membership.events) handler(event);
      const updated = this.membershipEvents.updateOf(payload);
      if (updated) handler(conversationUpdatedEventOf(updated));
    });
  }
}
