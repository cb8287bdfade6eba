/**
 * Real-time fan-out of new messages. Channels are per user: a message is published once to each
 * participant's channel (one pipeline, one JSON encoding), and an instance hears only the channels
 * of users connected to it. The payload is the finished message (sender included), so delivering
 * it to any number of subscribers runs no query.
 */
import { Injectable } from '@nestjs/common';
import { Channels } from '../pubsub/channels.js';
import { EventBus } from '../pubsub/event-bus.js';
import type { Message } from './message.entity.js';

export interface MessageAddedEvent {
  type: 'messageAdded';
  message: Message;
}

@Injectable()
export class MessageEvents {
  constructor(
    private readonly bus: EventBus,
    private readonly channels: Channels,
  ) {}

  /** Called after the message is committed; `recipientIds` are the participants at that moment. */
  messageAdded(message: Message, recipientIds: readonly string[]): Promise<void> {
    const event: MessageAddedEvent = { type: 'messageAdded', message };
    return this.bus.publish(
      recipientIds.map((id) => this.channels.user(id)),
      event,
    );
  }

  /** Every message event addressed to one user, until the returned function is called. */
  listen(userId: string, handler: (event: MessageAddedEvent) => void): Promise<() => void> {
    return this.bus.subscribe<MessageAddedEvent>(this.channels.user(userId), (event) => {
      if (event?.type === 'messageAdded') handler(event);
    });
  }
}
