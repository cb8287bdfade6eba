/**
 * The hand-written row mappers (conversation.row.ts, message.row.ts, the message hydrator's one
 * statement in message-details.repository.ts) answer in place of TypeORM's own reads on the hot
 * paths. Each must give exactly what TypeORM's read of the same row gives, every column included:
 * a column added to an entity but not to its mapper fails here, not in a client.
 */
import { DataSource, type EntityTarget, type ObjectLiteral } from 'typeorm';
import { describe, expect, it } from 'vitest';
import {
  CONVERSATION_COLUMNS,
  conversationFromRow,
  type ConversationRow,
} from '../../src/conversations/conversation.row.js';
import { Conversation } from '../../src/conversations/conversation.entity.js';
import { MessageDetailsRepository } from '../../src/messages/message-details.repository.js';
import { Message } from '../../src/messages/message.entity.js';
import {
  MESSAGE_COLUMNS,
  messageFromRow,
  type MessageRow,
} from '../../src/messages/message.row.js';
import { User } from '../../src/users/user.entity.js';
import { createConversation } from '../support/factories.js';
import { useApp } from '../support/fixtures.js';
import { gqlOk, registerUsers } from '../support/gql.js';

const { app } = useApp();

const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { id } }`;
const EDIT = `mutation($input: EditMessageInput!) { editMessage(input: $input) { id } }`;

/** The properties TypeORM reads of an entity by default (`select: false` columns left out). */
function selectedProperties(dataSource: DataSource, entity: EntityTarget<ObjectLiteral>) {
  return dataSource
    .getMetadata(entity)
    .columns.filter((c) => c.isSelect)
    .map((c) => c.propertyName)
    .sort();
}

/** An entity's own properties as a plain object: strict equality also sees a missing key. */
const plain = <T extends object>(entity: T): T => ({ ...entity });

describe('hand-written row mappers', () => {
  it('give what TypeORM reads of the same rows, column for column', async () => {
    const dataSource = app.app.get(DataSource);
    const [alice, bob] = await registerUsers(app.url, ['mapperalice', 'mapperbob']);
    const c = await createConversation(app.url, alice.token, [bob.id], 'mapped');
    const first = (
      await gqlOk(app.url, SEND, { input: { conversationId: c.id, text: 'first' } }, alice.token)
    ).sendMessage;
    const input = {
      conversationId: c.id,
      text: 'a reply',
      clientMessageId: 'mapper-1',
      replyToMessageId: first.id,
      mentionedUserIds: [alice.id],
    };
    const reply = (await gqlOk(app.url, SEND, { input }, bob.token)).sendMessage;
    // An edit fills edited_at and last_change, which a fresh message leaves at their defaults.
    await gqlOk(
      app.url,
      EDIT,
      { input: { messageId: first.id, text: 'first, edited' } },
      alice.token,
    );

    const [conversationRow] = await dataSource.query<ConversationRow[]>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversations c WHERE c.id = $1`,
      [c.id],
    );
    const conversation = conversationFromRow(conversationRow);
    expect(Object.keys(conversation).sort()).toEqual(selectedProperties(dataSource, Conversation));
    expect(conversation).toStrictEqual(
      plain(await dataSource.getRepository(Conversation).findOneByOrFail({ id: c.id })),
    );

    const messages = dataSource.getRepository(Message);
    for (const id of [first.id, reply.id]) {
      const [row] = await dataSource.query<MessageRow[]>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE id = $1`,
        [id],
      );
      const message = messageFromRow(row);
      expect(Object.keys(message).sort()).toEqual(selectedProperties(dataSource, Message));
      expect(message).toStrictEqual(plain(await messages.findOneByOrFail({ id })));
    }
    expect((await messages.findOneByOrFail({ id: first.id })).editedAt).toBeInstanceOf(Date);

    const details = await app.app
      .get(MessageDetailsRepository)
      .detailsOf([reply.id], [first.id], [bob.id]);
    expect(details.replies).toStrictEqual([
      plain(await messages.findOneByOrFail({ id: first.id })),
    ]);
    const users = dataSource.getRepository(User);
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect([...details.users].sort(byId)).toStrictEqual(
      [
        plain(await users.findOneByOrFail({ id: alice.id })),
        plain(await users.findOneByOrFail({ id: bob.id })),
      ].sort(byId),
    );
  });
});
