/** A membership row as the change stream shows its latest change (live and in replays alike). */
import type { User } from '../users/user.entity.js';
import type { MemberEvent } from './membership-changed.event.js';
import type { Participant } from './participant.entity.js';

export function memberEventOf(row: Participant, user: User): MemberEvent {
  return {
    kind: 'member',
    conversationId: row.conversationId,
    eventSeq: row.eventSeq,
    change: row.lastChange,
    user,
    role: row.leftAt ? null : row.role,
    actorId: row.actorId,
  };
}
