/**
 * Every local subscriber of one messageAdded event must get the same object: GraphQL executes
 * the subscription once per event and instance only because of that (shared-subscribe.ts).
 */
import { PubSub, type PubSubEngine } from 'graphql-subscriptions';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app.config.js';
import { Channels } from '../pubsub/channels.js';
import { EventBus } from '../pubsub/event-bus.js';
import { sharedDeserializer } from '../pubsub/shared-payloads.js';
import { MessageEvents } from './message.events.js';
import { MessageChange } from './message.entity.js';
import type { MessageWithDetails } from './message-with-details.js';

const channels = new Channels({ redis: { prefix: 't:' } } as AppConfig);

/** Like RedisPubSub: JSON on the wire, one deserializer call per channel that carries it. */
class JsonPubSub extends PubSub {
  private readonly deserialize = sharedDeserializer();
  override publish(channel: string, payload: unknown): Promise<void> {
    const bytes = Buffer.from(JSON.stringify(payload));
    return super.publish(channel, this.deserialize(bytes, { channel } as never));
  }
}

const message: MessageWithDetails = {
  id: 'm1',
  conversationId: 'c1',
  seq: 1,
  senderId: 'u1',
  text: 'hi',
  clientMessageId: null,
  createdAt: new Date('2026-01-01T00:00:00.000Z'),
  sender: {
    id: 'u1',
    username: 'alice',
    displayName: 'Alice',
    avatarUrl: null,
    createdAt: new Date('2026-01-01T00:00:00.000Z'),
    lastSeenAt: null,
  },
  eventSeq: 1,
  lastChange: MessageChange.MESSAGE_CREATED,
  editedAt: null,
  deletedAt: null,
  replyToId: null,
  mentionedUserIds: [],
  attachments: [],
  reactions: [],
  replyTo: null,
  mentions: [],
};

describe.each<[string, () => PubSubEngine]>([
  ['in process', () => new PubSub()],
  ['over JSON, as through Redis', () => new JsonPubSub()],
])('MessageEvents %s', (_, pubSub) => {
  it('hands every local subscriber of one event the same decoded message, with its dates', async () => {
    const events = new MessageEvents(new EventBus(pubSub(), null), channels);
    const heard: MessageWithDetails[] = [];
    for (const user of ['u1', 'u2', 'u3']) await events.listen(user, (m) => heard.push(m));
    await events.published(message, ['u1', 'u2', 'u3']);
    expect(heard).toHaveLength(3);
    expect(heard[1]).toBe(heard[0]);
    expect(heard[2]).toBe(heard[0]);
    expect(heard[0]).toEqual(message);
    expect(heard[0].createdAt).toBeInstanceOf(Date);
  });

  it('decodes the next event anew', async () => {
    const events = new MessageEvents(new EventBus(pubSub(), null), channels);
    const heard: MessageWithDetails[] = [];
    await events.listen('u1', (m) => heard.push(m));
    await events.published(message, ['u1']);
    await events.published({ ...message, id: 'm2', seq: 2 }, ['u1']);
    expect(heard.map((m) => m.seq)).toEqual([1, 2]);
    expect(heard[1]).not.toBe(heard[0]);
  });

  it('tells new messages (listen) from every change (listenToChanges)', async () => {
    const events = new MessageEvents(new EventBus(pubSub(), null), channels);
    const added: MessageWithDetails[] = [];
    const changed: MessageWithDetails[] = [];
    await events.listen('u1', (m) => added.push(m));
    await events.listenToChanges('u1', (m) => changed.push(m));
    await events.published(message, ['u1']);
    const edited = { ...message, eventSeq: 2, lastChange: MessageChange.MESSAGE_EDITED };
    await events.published(edited, ['u1']);
    expect(added.map((m) => m.eventSeq)).toEqual([1]);
    expect(changed.map((m) => [m.eventSeq, m.lastChange])).toEqual([
      [1, 'MESSAGE_CREATED'],
      [2, 'MESSAGE_EDITED'],
    ]);
  });
});
