/**
 * Real-time fan-out of messages and their changes. Channels are per user: an event is published
 * once to each participant's channel (one pipeline, one JSON encoding), and an instance hears
 * only the channels of users connected to it. One payload per change serves both messageAdded
 * (new messages only) and the change stream (every change).
 */
import { Injectable } from '@nestjs/common';
import { Channels } from '../pubsub/channels.js';
import { EventBus } from '../pubsub/event-bus.js';
import { decodedOnce } from '../pubsub/shared-payloads.js';
import { decodeMessageEvent, encodeMessageEvent } from './message-added.event.js';
import { MessageChange } from './message.entity.js';
import type { MessageWithDetails } from './message-with-details.js';

@Injectable()
export class MessageEvents {
  /**
   * Every local subscriber of one event gets the same decoded message (GraphQL then executes
   * messageAdded once for all of them, see shared-subscribe.ts): subscribers share the payload.
   */
  private readonly decode = decodedOnce(decodeMessageEvent);

  constructor(
    private readonly bus: EventBus,
    private readonly channels: Channels,
  ) {}

  /**
   * Called after the change is committed (a new message, an edit, a deletion, reactions);
   * `recipientIds` are the participants at that moment.
   */
  published(message: MessageWithDetails, recipientIds: readonly string[]): Promise<void> {
    return this.bus.publish(
      recipientIds.map((id) => this.channels.user(id)),
      encodeMessageEvent(message),
    );
  }

  /** Every new message addressed to one user, until the returned function is called. */
  listen(userId: string, handler: (message: MessageWithDetails) => void): Promise<() => void> {
    return this.subscribe(userId, handler, true);
  }

  /** Every message change (new ones included) addressed to one user. */
  listenToChanges(
    userId: string,
    handler: (message: MessageWithDetails) => void,
  ): Promise<() => void> {
    return this.subscribe(userId, handler, false);
  }

  /** The message of a payload heard on a user channel, if it is a message event. */
  messageOf(payload: unknown): MessageWithDetails | undefined {
    return this.decode(payload);
  }

  /**
   * One closure per listener, the filter inside it: every idle `messageAdded` subscriber holds
   * its listener for hours, and a closure wrapping another was one more per socket.
   */
  private subscribe(
    userId: string,
    handler: (message: MessageWithDetails) => void,
    createdOnly: boolean,
  ): Promise<() => void> {
    return this.bus.subscribe<unknown>(this.channels.user(userId), (payload) => {
      const message = this.decode(payload);
      if (message && (!createdOnly || message.lastChange === MessageChange.MESSAGE_CREATED))
        handler(message);
    });
  }
}
