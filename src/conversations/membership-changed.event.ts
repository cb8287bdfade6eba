/**
 * The `membershipChanged` event on Channels.user(id) of every member, old and new: who joined,
 * left or changed role in which conversation, published after the change is committed. One
 * payload per change serves presence (which follows `userIds`) and the change stream (which
 * delivers `events`, one per membership, with the user as it was then). Plain JSON with dates as
 * ISO strings; encode and decode are the only places that know the wire form.
 */
import type { User } from '../users/user.entity.js';
import { decodeUser, encodeUser, type UserWire } from '../users/user.wire.js';
import type { ConversationRole, MemberChange } from './participant.entity.js';

export type MembershipChange = 'created' | 'added' | 'left' | 'removed' | 'role';

/** One membership's change, as the change stream shows it (MemberEvent). */
export interface MemberEvent {
  kind: 'member';
  conversationId: string;
  eventSeq: number;
  change: MemberChange;
  user: User;
  /** The role after the change; null once gone. */
  role: ConversationRole | null;
  /** Who made the change; null for one's own leaving. */
  actorId: string | null;
}

interface MemberEventWire {
  eventSeq: number;
  change: MemberChange;
  user: UserWire;
  role: ConversationRole | null;
  actorId: string | null;
}

export interface MembershipChangedEvent {
  type: 'membershipChanged';
  conversationId: string;
  change: MembershipChange;
  /** Whose membership changed: every member when created, the new ones, or the one who left. */
  userIds: string[];
}

interface MembershipChangedWire extends MembershipChangedEvent {
  events: MemberEventWire[];
}

export interface DecodedMembershipChange extends MembershipChangedEvent {
  events: MemberEvent[];
}

export function encodeMembershipChanged(
  conversationId: string,
  change: MembershipChange,
  events: MemberEvent[],
): MembershipChangedWire {
  return {
    type: 'membershipChanged',
    conversationId,
    change,
    userIds: events.map((e) => e.user.id),
    events: events.map((e) => ({
      eventSeq: e.eventSeq,
      change: e.change,
      user: encodeUser(e.user),
      role: e.role,
      actorId: e.actorId,
    })),
  };
}

/** The event, or undefined for any other payload on the channel. */
export function decodeMembershipChanged(payload: unknown): DecodedMembershipChange | undefined {
  const event = payload as Partial<MembershipChangedWire> | null;
  if (
    event?.type !== 'membershipChanged' ||
    typeof event.conversationId !== 'string' ||
    !Array.isArray(event.userIds) ||
    !Array.isArray(event.events)
  ) {
    return undefined;
  }
  const conversationId = event.conversationId;
  return {
    type: 'membershipChanged',
    conversationId,
    change: event.change!,
    userIds: event.userIds,
    events: event.events.map((e) => ({
      kind: 'member' as const,
      conversationId,
      eventSeq: e.eventSeq,
      change: e.change,
      user: decodeUser(e.user),
      role: e.role,
      actorId: e.actorId,
    })),
  };
}
