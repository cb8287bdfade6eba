/**
 * Membership changes on the event bus, for features that follow who shares a conversation with
 * whom (presence): published once to each member's user channel, old and new alike, after commit.
 */
import { Injectable } from '@nestjs/common';
import { Channels } from '../pubsub/channels.js';
import { EventBus } from '../pubsub/event-bus.js';
import {
  decodeMembershipChanged,
  encodeMembershipChanged,
  type MembershipChange,
  type MembershipChangedEvent,
} from './membership-changed.event.js';

@Injectable()
export class MembershipEvents {
  constructor(
    private readonly bus: EventBus,
    private readonly channels: Channels,
  ) {}

  /** `memberIds`: everyone the change concerns (the members before and after it). */
  changed(
    conversationId: string,
    change: MembershipChange,
    userIds: string[],
    memberIds: readonly string[],
  ): Promise<void> {
    return this.bus.publish(
      memberIds.map((id) => this.channels.user(id)),
      encodeMembershipChanged(conversationId, change, userIds),
    );
  }

  /** Every membership change that concerns one user, until the returned function is called. */
  listen(userId: string, handler: (event: MembershipChangedEvent) => void): Promise<() => void> {
    return this.bus.subscribe<unknown>(this.channels.user(userId), (payload) => {
      const event = decodeMembershipChanged(payload);
      if (event) handler(event);
    });
  }
}
