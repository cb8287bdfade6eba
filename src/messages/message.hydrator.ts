/**
 * Fills `sender` and `attachments` on messages read from the database, two queries for any
 * number of them. Used where messages leave without a GraphQL request's DataLoaders around them:
 * REST answers, a retried send's reply, and resume replays (one query per replayed message
 * otherwise, as each event executes on its own).
 */
import { Injectable } from '@nestjs/common';
import { groupByKeys } from '../common/dataloader/request-loaders.js';
import { AttachmentsRepository } from '../attachments/attachments.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import type { Message } from './message.entity.js';

@Injectable()
export class MessageHydrator {
  constructor(
    private readonly users: UsersRepository,
    private readonly attachments: AttachmentsRepository,
  ) {}

  async hydrate(messages: Message[]): Promise<Message[]> {
    if (messages.length === 0) return messages;
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
    return messages.map((m, i) =>
      Object.assign(m, { sender: sendersById.get(m.senderId), attachments: attachmentsOf[i] }),
    );
  }
}
