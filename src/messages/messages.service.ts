/**
 * Messages: sending (gap-free seq, idempotent by clientMessageId, published after commit) and
 * history pages by seq cursors that never skip or repeat, whatever arrives meanwhile.
 */
import { Injectable } from '@nestjs/common';
import { BadUserInputError } from '../common/errors/domain-error.js';
import {
  toConnection,
  toForwardConnection,
  type ConnectionShape,
} from '../common/pagination/connection.type.js';
import { decodeCursor, encodeCursor } from '../common/pagination/cursor.js';
import { toPageRequest } from '../common/pagination/pagination.args.js';
import { isUuid } from '../common/uuid.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { isUniqueViolation } from '../common/errors/pg-errors.js';
import { PushScheduler } from '../push/push.scheduler.js';
import { RateLimiter } from '../rate-limit/rate-limiter.js';
import type { MessageContent } from './dto/send-message.input.js';
import type { MessagesArgs } from './dto/messages.args.js';
import type { Message } from './message.entity.js';
import type { MessageAddedArgs } from './dto/message-added.args.js';
import type { MessageWithDetails } from './message-with-details.js';
import { MessageEvents } from './message.events.js';
import { MessageHydrator } from './message.hydrator.js';
import { MessageStream } from './message.stream.js';
import { MessagesRepository } from './messages.repository.js';

const CURSOR_KIND = 'message';

const unattachable = () =>
  new BadUserInputError(
    'Each attachment must be an upload of yours to this conversation that no message has yet',
    { fields: [{ field: 'attachmentIds', messages: ['unknown, foreign or already sent upload'] }] },
  );

const badReply = () =>
  new BadUserInputError('replyToMessageId must be a message of this conversation', {
    fields: [{ field: 'replyToMessageId', messages: ['not a message of this conversation'] }],
  });
const badMentions = () =>
  new BadUserInputError('Only current members can be mentioned', {
    fields: [{ field: 'mentionedUserIds', messages: ['not a member of this conversation'] }],
  });

export interface HistoryPage {
  items: MessageWithDetails[];
  nextCursor: string | null;
}

@Injectable()
export class MessagesService {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly conversations: ConversationsService,
    private readonly events: MessageEvents,
    private readonly messageStream: MessageStream,
    private readonly rateLimiter: RateLimiter,
    private readonly hydrator: MessageHydrator,
    private readonly push: PushScheduler,
  ) {}

  async send(
    senderId: string,
    conversationId: string,
    content: MessageContent,
  ): Promise<MessageWithDetails> {
    await this.rateLimiter.consume('sends', senderId);
    const text = content.text ?? '';
    if (text.length === 0 && !content.attachmentIds?.length) {
      throw new BadUserInputError('A message needs text or at least one attachment', {
        fields: [{ field: 'text', messages: ['text must not be empty'] }],
      });
    }
    const clientMessageId = content.clientMessageId ?? null;
    const attachmentIds = [...new Set(content.attachmentIds ?? [])];
    if (!attachmentIds.every(isUuid)) throw unattachable();
    const replyToId = content.replyToMessageId ?? null;
    if (replyToId !== null && !isUuid(replyToId)) throw badReply();
    const mentionedUserIds = [...new Set(content.mentionedUserIds ?? [])];
    if (!mentionedUserIds.every(isUuid)) throw badMentions();
    let inserted;
    try {
      inserted = await this.messages.insertNext({
        conversationId,
        senderId,
        text,
        clientMessageId,
        attachmentIds,
        replyToId,
        mentionedUserIds,
      });
    } catch (error) {
      // A retried send: the first one stands (also when the retries raced each other).
      if (clientMessageId && isUniqueViolation(error, 'messages_client_message_id')) {
        const first = await this.messages.findByClientMessageId(
          conversationId,
          senderId,
          clientMessageId,
        );
        if (first) return (await this.hydrator.hydrate([first]))[0];
      }
      throw error;
    }
    if (!inserted) {
      // Nothing was stored: blocked, not a participant, or an upload could not be attached, which
      // is also what a retry finds when its first send took the attachments (it gets that
      // message). The statement checks the block itself (one round trip less per send).
      await this.conversations.assertMaySend(conversationId, senderId);
      await this.conversations.assertParticipant(conversationId, senderId);
      const first =
        clientMessageId &&
        (await this.messages.findByClientMessageId(conversationId, senderId, clientMessageId));
      if (first) return (await this.hydrator.hydrate([first]))[0];
      if (replyToId && !(await this.messages.isInConversation(replyToId, conversationId))) {
        throw badReply();
      }
      if (!(await this.conversations.areMembers(conversationId, mentionedUserIds))) {
        throw badMentions();
      }
      throw unattachable();
    }
    // A reply or mentions: read them as they are now (a new message has no reactions yet).
    const message =
      replyToId || mentionedUserIds.length > 0
        ? (await this.hydrator.hydrate([inserted.message]))[0]
        : inserted.message;
    await this.events.published(message, inserted.recipientIds);
    this.push.messageSent(message);
    return message;
  }

  /** The messageAdded subscription of a user (see MessageStream). */
  stream(
    userId: string,
    args: MessageAddedArgs,
  ): Promise<AsyncIterableIterator<MessageWithDetails>> {
    if (args.afterSeq != null && args.conversationId == null) {
      throw new BadUserInputError('afterSeq needs a conversationId');
    }
    return this.messageStream.open(userId, {
      conversationId: args.conversationId ?? undefined,
      afterSeq: args.afterSeq ?? undefined,
    });
  }

  /** A Relay page of a conversation's history, oldest to newest. */
  async history(userId: string, args: MessagesArgs): Promise<ConnectionShape<Message>> {
    const { conversationId } = args;
    if (args.afterSeq != null && args.after != null) {
      throw new BadUserInputError('Pass either after or afterSeq, not both');
    }
    await this.conversations.assertParticipant(conversationId, userId);
    // afterSeq is another spelling of `after`: the cursor of that seq.
    const after =
      args.afterSeq != null ? encodeCursor(CURSOR_KIND, conversationId, args.afterSeq) : args.after;
    const page = toPageRequest({ ...args, after });
    const afterSeq = page.after ? this.seqOf(page.after, conversationId) : undefined;
    const beforeSeq = page.before ? this.seqOf(page.before, conversationId) : undefined;
    const cursorOf = (m: Message) => encodeCursor(CURSOR_KIND, conversationId, m.seq);

    if (page.direction === 'forward') {
      const rows = await this.messages.findPageAfter(
        conversationId,
        afterSeq ?? 0,
        beforeSeq,
        page.limit + 1,
      );
      // seq starts at 1 without gaps: anything at or before afterSeq exists.
      return toForwardConnection(rows, page.limit, cursorOf, (afterSeq ?? 0) > 0);
    }
    const rows = await this.messages.findPageBefore(
      conversationId,
      beforeSeq,
      afterSeq,
      page.limit + 1,
    );
    return toConnection(rows.slice(0, page.limit).reverse(), cursorOf, {
      hasNextPage: beforeSeq !== undefined,
      hasPreviousPage: rows.length > page.limit,
    });
  }

  /** The REST form: newest first; `nextCursor` pages back in time. */
  async historyNewestFirst(
    userId: string,
    conversationId: string,
    limit: number,
    cursor?: string,
  ): Promise<HistoryPage> {
    const page = await this.history(userId, { conversationId, last: limit, before: cursor });
    return {
      items: await this.hydrator.hydrate(page.edges.map((edge) => edge.node).reverse()),
      nextCursor: page.pageInfo.hasPreviousPage ? page.pageInfo.startCursor : null,
    };
  }

  /** A cursor's seq; a cursor of another conversation (or list) is refused. */
  private seqOf(cursor: string, conversationId: string): number {
    const [cursorConversation, seq] = decodeCursor<[string, number]>(CURSOR_KIND, cursor, [
      'string',
      'int',
    ]);
    if (cursorConversation !== conversationId) throw new BadUserInputError('Invalid cursor');
    return seq;
  }
}
