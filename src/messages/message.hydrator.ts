/**
 * Messages read from the database, with everything they show (new objects, see
 * message-with-details.ts): a fixed number of queries for any number of them. Used where
 * messages leave without a GraphQL request's DataLoaders around them: REST answers, a retried
 * send's reply, changes, and replays (one query per replayed message otherwise, as each event
 * executes on its own).
 */
import { Injectable } from '@nestjs/common';
import { groupByKeys } from '../common/dataloader/request-loaders.js';
import { AttachmentsRepository } from '../attachments/attachments.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import type { User } from '../users/user.entity.js';
import type { Message } from './message.entity.js';
import { withDetails, type MessageWithDetails } from './message-with-details.js';
import { MessagesRepository } from './messages.repository.js';
import { ReactionsRepository } from './reactions.repository.js';

@Injectable()
export class MessageHydrator {
  constructor(
    private readonly users: UsersRepository,
    private readonly attachments: AttachmentsRepository,
    private readonly messages: MessagesRepository,
    private readonly reactions: ReactionsRepository,
  ) {}

  async hydrate(messages: Message[]): Promise<MessageWithDetails[]> {
    if (messages.length === 0) return [];
    const ids = messages.map((m) => m.id);
    const replyIds = [...new Set(messages.flatMap((m) => (m.replyToId ? [m.replyToId] : [])))];
    const [attachments, reactions, replies] = await Promise.all([
      this.attachments.findByMessageIds(ids),
      this.reactions.summariesOf(ids),
      this.messages.findByIds(replyIds),
    ]);
    const userIds = new Set<string>();
    for (const m of [...messages, ...replies]) userIds.add(m.senderId);
    for (const m of messages) for (const id of m.mentionedUserIds) userIds.add(id);
    const usersById = new Map<string, User>(
      (await this.users.findByIds([...userIds])).map((u) => [u.id, u]),
    );
    const repliesById = new Map(replies.map((r) => [r.id, r]));
    const attachmentsOf = groupByKeys(ids, attachments, (a) => a.messageId!);
    const reactionsOf = groupByKeys(
      ids,
      reactions,
      (r) => r.messageId,
      (r) => r.summary,
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
