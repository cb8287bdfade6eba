/**
 * Messages read from the database, with everything they show (new objects, see
 * message-with-details.ts): a fixed number of queries for any number of them. Used where
 * messages leave without a GraphQL request's DataLoaders around them: REST answers, a retried
 * send's reply, changes, and replays (one query per replayed message otherwise, as each event
 * executes on its own).
 */
import { Injectable } from '@nestjs/common';
import { groupByKeys } from '../common/dataloader/request-loaders.js';
import type { User } from '../users/user.entity.js';
import type { Message } from './message.entity.js';
import { MessageDetailsRepository } from './message-details.repository.js';
import { withDetails, type MessageWithDetails } from './message-with-details.js';

@Injectable()
export class MessageHydrator {
  constructor(private readonly details: MessageDetailsRepository) {}

  /** One round trip: the users shown are known before it, but for the replies' senders. */
  async hydrate(messages: Message[]): Promise<MessageWithDetails[]> {
    if (messages.length === 0) return [];
    const ids = messages.map((m) => m.id);
    const replyIds = [...new Set(messages.flatMap((m) => (m.replyToId ? [m.replyToId] : [])))];
    const userIds = new Set<string>();
    for (const m of messages) {
      userIds.add(m.senderId);
      for (const id of m.mentionedUserIds) userIds.add(id);
    }
    const { attachments, reactions, replies, users } = await this.details.detailsOf(ids, replyIds, [
      ...userIds,
    ]);
    const usersById = new Map<string, User>(users.map((u) => [u.id, u]));
    const repliesById = new Map(replies.map((r) => [r.id, r]));
    const attachmentsOf = groupByKeys(
      ids,
      attachments,
      (a) => a.messageId,
      ({ id, fileName, contentType, size }) => ({ id, fileName, contentType, size }),
    );
    const reactionsOf = groupByKeys(
      ids,
      reactions,
      (r) => r.messageId,
      ({ emoji, userIds }) => ({ emoji, userIds }),
    );
    // A sender is never missing: users are not deleted while their messages stay (FK cascade).
    return messages.map((m, i) => {
      const reply = m.replyToId ? repliesById.get(m.replyToId) : undefined;
      return withDetails(m, {
        sender: usersById.get(m.senderId)!,
        attachments: attachmentsOf[i],
        reactions: reactionsOf[i],
        replyTo: reply ? { ...reply, sender: usersById.get(reply.senderId)! } : null,
        mentions: m.mentionedUserIds.flatMap((id) => usersById.get(id) ?? []),
      });
    });
  }
}
