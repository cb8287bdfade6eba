/** Publishes committed membership changes, with their users, to everyone they concern. */
import { Injectable } from '@nestjs/common';
import { UsersRepository } from '../users/users.repository.js';
import { memberEventOf } from './member-event.js';
import type { MembershipChange } from './membership-changed.event.js';
import { MembershipEvents } from './membership.events.js';
import type { Participant } from './participant.entity.js';

@Injectable()
export class MemberAnnouncer {
  constructor(
    private readonly users: UsersRepository,
    private readonly events: MembershipEvents,
  ) {}

  /** `rows`: the changed memberships in eventSeq order; `memberIds`: the members around them. */
  async announce(
    conversationId: string,
    change: MembershipChange,
    rows: Participant[],
    memberIds: string[],
  ): Promise<void> {
    if (rows.length === 0) return;
    const users = new Map(
      (await this.users.findByIds(rows.map((r) => r.userId))).map((u) => [u.id, u]),
    );
    const events = rows.map((row) => memberEventOf(row, users.get(row.userId)!));
    await this.events.changed(conversationId, change, events, [
      ...memberIds,
      ...rows.map((r) => r.userId),
    ]);
  }
}
