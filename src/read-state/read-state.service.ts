/** Read state: marking read, muting, the unread summary and the receipts stream. */
import { Injectable } from '@nestjs/common';
import type { RequestLoaders } from '../common/dataloader/request-loaders.js';
import { PushStream } from '../common/streams/push.stream.js';
import { NotFoundError } from '../common/errors/domain-error.js';
import type { Conversation } from '../conversations/conversation.entity.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import type { ReadReceipt } from './read-receipt.event.js';
import { ReadReceipts } from './read-receipts.js';
import { ReadStateLoader } from './read-state.loader.js';
import { ReadStateRepository } from './read-state.repository.js';
import type { UnreadSummary } from './dto/read-state.types.js';

/** Readers a stream remembers the last delivered receipt of (a bound on its memory). */
const MAX_TRACKED = 10_000;

@Injectable()
export class ReadStateService {
  constructor(
    private readonly repository: ReadStateRepository,
    private readonly receipts: ReadReceipts,
    private readonly conversations: ConversationsService,
    private readonly loader: ReadStateLoader,
  ) {}

  /**
   * Moves the caller's lastReadSeq forward (clamped to the last seq); NOT_FOUND unless a member.
   * The state the mark answered is what this operation's read-state fields show (`loaders`),
   * and the conversation it read is the answer (one statement, as a send is).
   */
  async markRead(
    userId: string,
    conversationId: string,
    upToSeq: number,
    loaders: RequestLoaders,
  ): Promise<Conversation> {
    const marked = await this.repository.markRead(conversationId, userId, upToSeq);
    if (!marked) throw new NotFoundError('Conversation');
    const { lastReadSeq } = marked.state;
    if (marked.moved) {
      this.receipts.published({ conversationId, userId, lastReadSeq }, marked.memberIds);
    }
    this.loader.prime(loaders, userId, marked.state);
    return marked.conversation;
  }

  async setMuted(userId: string, conversationId: string, muted: boolean): Promise<Conversation> {
    if (!(await this.repository.setMuted(conversationId, userId, muted))) {
      throw new NotFoundError('Conversation');
    }
    return this.conversations.getForUser(conversationId, userId);
  }

  summary(userId: string): Promise<UnreadSummary> {
    return this.repository.summary(userId);
  }

  /**
   * Receipts of the caller's conversations (or one of them: NOT_FOUND unless a member, and
   * complete once the caller leaves it), live. Channels are per user, so a conversation left
   * stops sending receipts at once.
   */
  async stream(
    userId: string,
    conversationId?: string,
  ): Promise<AsyncIterableIterator<ReadReceipt>> {
    let unlisten = () => {};
    const stream = new PushStream<ReadReceipt>(() => unlisten());
    // Receipts coalesced on different instances can arrive out of order: a reader's
    // lastReadSeq only grows, so one not above the last delivered is stale and dropped.
    const delivered = new Map<string, number>();
    unlisten = await this.receipts.listen(
      userId,
      (receipt) => {
        if (conversationId !== undefined && receipt.conversationId !== conversationId) return;
        const key = `${receipt.conversationId}:${receipt.userId}`;
        if ((delivered.get(key) ?? -1) >= receipt.lastReadSeq) return;
        if (delivered.size >= MAX_TRACKED) delivered.clear();
        delivered.set(key, receipt.lastReadSeq);
        stream.push(receipt);
      },
      (departed) => {
        // A departed member's subscriptions to the conversation complete.
        if (departed === conversationId) void stream.return();
      },
    );
    if (conversationId !== undefined) {
      // Listening first, so nothing committed after the check is missed.
      try {
        await this.conversations.getForUser(conversationId, userId);
      } catch (error) {
        unlisten();
        throw error;
      }
    }
    return stream;
  }
}
