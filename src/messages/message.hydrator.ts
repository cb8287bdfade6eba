/**
 * Messages read from the database, with their senders and attachments (new objects, see
 * message-with-details.ts): two queries for any number of them. Used where messages leave without a GraphQL request's DataLoaders around them:
 * REST answers, a retried send's reply, and resume replays (one query per replayed message
 * otherwise, as each event executes on its own).
 */
import { Injectable } from '@nestjs/common';
import { groupByKeys } from '../common/dataloader/request-loaders.js';
import { AttachmentsRepository } from '../attachments/attachments.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import type { Message } from './message.entity.js';
import { withDetails, type MessageWithDetails } from './message-with-details.js';

@Injectable()
export class MessageHydrator {
  constructor(
    private readonly users: UsersRepository,
    private readonly attachments: AttachmentsRepository,
  ) {}

  async hydrate(messages: Message[]): Promise<MessageWithDetails[]> {
    if (messages.length === 0) return [];
    const [senders, attachments] = await Promise.all([
      this.users.findByIds([...new Set(messages.map((m) => m.senderId))]),
      this.attachments.findByMessageIds(messages.map((m) => m.id)),
    ]);
    const sendersById = new Map(senders.map((u) => [u.id, u]));
    const attachmentsOf = groupByKeys(
      messages.map((m) => m.id),
      attachments,
      (a) => a.messageId!,
    );
    // A sender is never missing: users are not deleted while their messages stay (FK cascade).
    return messages.map((m, i) => withDetails(m, sendersById.get(m.senderId)!, attachmentsOf[i]));
  }
}
