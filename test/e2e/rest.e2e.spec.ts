/** The original design's REST API: same data and rules as GraphQL, JSON errors by status. */
import { describe, expect, it } from 'vitest';
import { countMessages } from '../support/database.js';
import { useApp, useUsers } from '../support/fixtures.js';
import { createConversation, sendMessage } from '../support/factories.js';
import { registerUser } from '../support/gql.js';

const { db, app } = useApp();
const [alice, bob, carol] = useUsers(app, ['alice', 'bob', 'carol']);

async function rest(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${app.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: (await res.json()) as any };
}

describe('REST', () => {
  it('requires a bearer token, answering 401 with the error shape', async () => {
    const res = await rest('GET', '/conversations');
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      statusCode: 401,
      code: 'UNAUTHENTICATED',
      message: expect.any(String),
    });
  });

  it('lists conversations newest activity first, with participants, a page at a time', async () => {
    const me = await registerUser(app.url, 'rest');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push((await createConversation(app.url, me.token, [alice.id], `r${i}`)).id);
    const first = await rest('GET', '/conversations?limit=2', me.token);
    expect(first.status).toBe(200);
    expect(first.body.items.map((c: any) => c.id)).toEqual([ids[2], ids[1]]);
    expect(first.body.items[0].participants.map((p: any) => p.id).sort()).toEqual(
      [alice.id, me.id].sort(),
    );
    expect(first.body.items[0]).not.toHaveProperty('directKey');
    const second = await rest(
      'GET',
      `/conversations?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`,
      me.token,
    );
    expect(second.body).toEqual({
      items: [expect.objectContaining({ id: ids[0] })],
      nextCursor: null,
    });
  });

  it('gets one conversation with participants, and 404s a foreign one like an unknown one', async () => {
    const c = await createConversation(app.url, alice.token, [bob.id]);
    const own = await rest('GET', `/conversations/${c.id}`, alice.token);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: c.id, isDirect: true, title: null });
    expect(own.body.participants).toHaveLength(2);
    const foreign = await rest('GET', `/conversations/${c.id}`, carol.token);
    const unknown = await rest(
      'GET',
      '/conversations/00000000-0000-4000-8000-000000000000',
      carol.token,
    );
    expect(foreign).toEqual(unknown);
    expect(foreign).toEqual({
      status: 404,
      body: { statusCode: 404, code: 'NOT_FOUND', message: 'Conversation not found' },
    });
  });

  it('pages messages newest first, nextCursor going back in time', async () => {
    const c = await createConversation(app.url, alice.token, [bob.id], 'rest history');
    for (let i = 1; i <= 5; i++) await sendMessage(app.url, alice.token, c.id, `m${i}`);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
      const page = await rest('GET', `/conversations/${c.id}/messages?limit=2${q}`, bob.token);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((m: any) => m.seq));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([5, 4, 3, 2, 1]);
  });

  it('sends with 201 and the message, idempotently per clientMessageId', async () => {
    const c = await createConversation(app.url, alice.token, [bob.id], 'rest send');
    const first = await rest('POST', `/conversations/${c.id}/messages`, bob.token, {
      text: ' hi ',
      clientMessageId: 'abc',
    });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      conversationId: c.id,
      seq: 1,
      text: 'hi',
      clientMessageId: 'abc',
      sender: { id: bob.id },
    });
    const again = await rest('POST', `/conversations/${c.id}/messages`, bob.token, {
      text: 'hi',
      clientMessageId: 'abc',
    });
    expect(again.body).toEqual(first.body);
  });

  it('refuses bad input with 400 BAD_USER_INPUT and strangers with 404, storing nothing', async () => {
    const c = await createConversation(app.url, alice.token, [bob.id], 'rest refusals');
    const path = `/conversations/${c.id}/messages`;
    for (const body of [
      { text: '' },
      { text: 'x'.repeat(4001) },
      { text: 'ok', extra: 1 },
      { text: 42 },
    ]) {
      const res = await rest('POST', path, alice.token, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('BAD_USER_INPUT');
    }
    for (const query of ['limit=0', 'limit=abc', 'limit=201', 'cursor=%25%25']) {
      const res = await rest('GET', `${path}?${query}`, alice.token);
      expect(res.status, query).toBe(400);
      expect(res.body.code).toBe('BAD_USER_INPUT');
    }
    expect((await rest('POST', path, carol.token, { text: 'intruder' })).status).toBe(404);
    expect((await rest('GET', path, carol.token)).status).toBe(404);
    expect(await countMessages(db, c.id)).toBe(0);
  });

  it('describes itself in an OpenAPI document at /docs (no token needed to read it)', async () => {
    const res = await fetch(`${app.url}/docs/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/avatars/{id}',
      '/conversations',
      '/conversations/{id}',
      '/conversations/{id}/file',
      '/conversations/{id}/messages',
      '/files/{id}',
      '/health/live',
      '/health/ready',
      '/me/avatar',
    ]);
    expect(Object.keys(doc.paths['/conversations/{id}/messages']).sort()).toEqual(['get', 'post']);
    expect((await fetch(`${app.url}/docs`)).status).toBe(200);
  });
});
