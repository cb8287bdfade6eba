/**
 * Catch-up from the rows themselves: every row carries the eventSeq of its latest change, so the
 * changes after N are one index range read per table (messages, memberships, the conversation
 * row), merged in eventSeq order. No event log to grow or trim, and superseded states are never
 * read: a message edited five times since N comes once, as it is now.
 */
import { Injectable } from '@nestjs/common';
import type { Conversation } from '../conversations/conversation.entity.js';
import { memberEventOf } from '../conversations/member-event.js';
import { MembershipRepository } from '../conversations/membership.repository.js';
import { MessageHydrator } from '../messages/message.hydrator.js';
import { MessagesRepository } from '../messages/messages.repository.js';
import { UsersRepository } from '../users/users.repository.js';
import {
  conversationUpdatedEventOf,
  messageEventOf,
  type ConversationChangeEvent,
} from './conversation-change.js';

@Injectable()
export class ChangesReader {
  constructor(
    private readonly messages: MessagesRepository,
    private readonly hydrator: MessageHydrator,
    private readonly membership: MembershipRepository,
    private readonly users: UsersRepository,
  ) {}

  /**
   * Up to `limit` changes with after < eventSeq < before, oldest first. `conversation` is its
   * row read just before (its counter bounds the read; its own title/avatar change, if in range,
   * is one of the changes).
   */
  async changesBetween(
    conversation: Conversation,
    after: number,
    before: number | undefined,
    limit: number,
  ): Promise<ConversationChangeEvent[]> {
    // Every change up to the counter read is committed; the reads below are separate statements,
    // and one committed between them must not be skipped for a higher number read after it.
    const bound = conversation.lastEventSeq + 1;
    before = before === undefined ? bound : Math.min(before, bound);
    if (after + 1 >= before) return [];
    const inRange = (eventSeq: number) => eventSeq > after && eventSeq < before;
    const [messages, members] = await Promise.all([
      this.messages.findChangedAfter(conversation.id, after, before, limit),
      this.membership.findChangedAfter(conversation.id, after, before, limit),
    ]);
    const [hydrated, users] = await Promise.all([
      this.hydrator.hydrate(messages),
      this.users.findByIds([...new Set(members.map((m) => m.userId))]),
    ]);
    const usersById = new Map(users.map((u) => [u.id, u]));
    const events: ConversationChangeEvent[] = [
      ...hydrated.map(messageEventOf),
      ...members.map((m) => memberEventOf(m, usersById.get(m.userId)!)),
    ];
    if (conversation.eventSeq > 0 && inRange(conversation.eventSeq)) {
      events.push(conversationUpdatedEventOf(conversation));
    }
    return events.sort((a, b) => a.eventSeq - b.eventSeq).slice(0, limit);
  }
}
