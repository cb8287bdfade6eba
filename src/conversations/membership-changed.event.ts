/**
 * The `membershipChanged` event on Channels.user(id) of every member, old and new: who joined or
 * left which conversation. Published after the change is committed. Plain JSON (no dates), so the
 * wire form is the event itself; decode only checks its shape.
 */
export type MembershipChange = 'created' | 'added' | 'left';

export interface MembershipChangedEvent {
  type: 'membershipChanged';
  conversationId: string;
  change: MembershipChange;
  /** Whose membership changed: every member when created, the new ones, or the one who left. */
  userIds: string[];
}

export function encodeMembershipChanged(
  conversationId: string,
  change: MembershipChange,
  userIds: string[],
): MembershipChangedEvent {
  return { type: 'membershipChanged', conversationId, change, userIds };
}

/** The event, or undefined for any other payload on the channel. */
export function decodeMembershipChanged(payload: unknown): MembershipChangedEvent | undefined {
  const event = payload as Partial<MembershipChangedEvent> | null;
  return event?.type === 'membershipChanged' &&
    typeof event.conversationId === 'string' &&
    Array.isArray(event.userIds)
    ? (event as MembershipChangedEvent)
    : undefined;
}
