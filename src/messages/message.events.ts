/**
 * Real-time fan-out of new messages. Channels are per user: a message is published once to each
 * participant's channel (one pipeline, one JSON encoding), and an instance hears only the channels
 * of users connected to it.
 */
import { Injectable } from '@nestjs/common';
import { Channels } from '../pubsub/channels.js';
import { EventBus } from '../pubsub/event-bus.js';
import { decodedOnce } from '../pubsub/shared-payloads.js';
import { decodeMessageAdded, encodeMessageAdded } from './message-added.event.js';
import type { MessageWithDetails } from './message-with-details.js';

@Injectable()
export class MessageEvents {
  /**
   * Every local subscriber of one event gets the same decoded message (GraphQL then executes
   * messageAdded once for all of them, see shared-subscribe.ts): subscribers share the payload.
   */
  private readonly decode = decodedOnce(decodeMessageAdded);

  constructor(
    private readonly bus: EventBus,
    private readonly channels: Channels,
  ) {}

  /** Called after the message is committed; `recipientIds` are the participants at that moment. */
  messageAdded(message: MessageWithDetails, recipientIds: readonly string[]): Promise<void> {
    return this.bus.publish(
      recipientIds.map((id) => this.channels.user(id)),
      encodeMessageAdded(message),
    );
  }

  /** Every new message addressed to one user, until the returned function is called. */
  listen(userId: string, handler: (message: MessageWithDetails) => void): Promise<() => void> {
    return this.bus.subscribe<unknown>(this.channels.user(userId), (payload) => {
      const message = this.decode(payload);
      if (message) handler(message);
    });
  }
}
