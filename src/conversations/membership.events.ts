/**
 * Membership changes (and title/avatar changes) on the event bus, for features that follow who shares a conversation with
 * whom (presence) and for the change stream: published once to each member's user channel, old
 * and new alike, after commit.
 */
import { Injectable } from '@nestjs/common';
import { Channels } from '../pubsub/channels.js';
import { EventBus } from '../pubsub/event-bus.js';
import { decodedOnce } from '../pubsub/shared-payloads.js';
import type { Conversation } from './conversation.entity.js';
import {
  decodeConversationUpdated,
  encodeConversationUpdated,
} from './conversation-updated.event.js';
import {
  decodeMembershipChanged,
  encodeMembershipChanged,
  type DecodedMembershipChange,
  type MemberEvent,
  type MembershipChange,
} from './membership-changed.event.js';

@Injectable()
export class MembershipEvents {
  constructor(
    private readonly bus: EventBus,
    private readonly channels: Channels,
  ) {}

  /** Every local subscriber of one payload gets the same decoded events (see MessageEvents). */
  private readonly decode = decodedOnce(decodeMembershipChanged);
  private readonly decodeUpdate = decodedOnce(decodeConversationUpdated);

  /**
   * `events`: one per membership changed, in eventSeq order; `memberIds`: everyone the change
   * concerns (the members before and after it).
   */
  changed(
    conversationId: string,
    change: MembershipChange,
    events: MemberEvent[],
    memberIds: readonly string[],
  ): Promise<void> {
    return this.bus.publish(
      [...new Set(memberIds)].map((id) => this.channels.user(id)),
      encodeMembershipChanged(conversationId, change, events),
    );
  }

  /** Every membership change that concerns one user, until the returned function is called. */
  listen(userId: string, handler: (event: DecodedMembershipChange) => void): Promise<() => void> {
    return this.bus.subscribe<unknown>(this.channels.user(userId), (payload) => {
      const event = this.decode(payload);
      if (event) handler(event);
    });
  }

  /** Publishes a committed title or avatar change to the members. */
  updated(conversation: Conversation, memberIds: readonly string[]): Promise<void> {
    return this.bus.publish(
      memberIds.map((id) => this.channels.user(id)),
      encodeConversationUpdated(conversation),
    );
  }

  /** The conversation of a payload heard on a user channel, if it is a title/avatar change. */
  updateOf(payload: unknown): Conversation | undefined {
    return this.decodeUpdate(payload);
  }

  /** The change of a payload heard on a user channel, if it is a membership change. */
  changeOf(payload: unknown): DecodedMembershipChange | undefined {
    return this.decode(payload);
  }
}
