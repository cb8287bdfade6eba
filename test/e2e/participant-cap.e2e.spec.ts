/** Member lists in a page of conversations are capped (first N + a count); one conversation lists all. */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LISTED_MEMBERS } from '../../src/conversations/membership.repository.js';
import { countQueries } from '../support/app.js';
import { createConversation } from '../support/factories.js';
import { useApp } from '../support/fixtures.js';
import { gqlOk, registerUser } from '../support/gql.js';

const { db, app } = useApp();

const PAGE = `{ conversations(first: 20) { edges { node {
  id isDirect participantCount participants { id } members { user { id } } } } } }`;
const ONE = `query($id: ID!) { conversation(id: $id) {
  participantCount participants { id } members { user { id } } } }`;

/** Users straight into the table: a big group needs many, and registration hashes passwords. */
async function insertUsers(n: number): Promise<string[]> {
  const tag = randomBytes(4).toString('hex');
  const rows: { id: string }[] = await db.query(
    `INSERT INTO users (username, display_name, password_hash)
     SELECT 'cap' || $1 || '_' || i, 'Member ' || i, 'x' FROM generate_series(1, $2) AS i
     RETURNING id`,
    [tag, n],
  );
  return rows.map((r) => r.id);
}

describe('participants in the conversations list', () => {
  it('lists the first N members and the full count; the single query lists everyone', async () => {
    const me = await registerUser(app.url, 'capowner');
    const other = await registerUser(app.url, 'capother');
    const others = await insertUsers(LISTED_MEMBERS + 4);
    const group = await createConversation(app.url, me.token, others, 'Big group');
    const direct = await createConversation(app.url, me.token, [other.id]);

    const one = (await gqlOk(app.url, ONE, { id: group.id }, me.token)).conversation;
    expect(one.participantCount).toBe(LISTED_MEMBERS + 5);
    expect(one.participants).toHaveLength(LISTED_MEMBERS + 5);
    expect(new Set(one.participants.map((u: any) => u.id))).toEqual(new Set([me.id, ...others]));
    expect(one.members).toHaveLength(LISTED_MEMBERS + 5);

    const page = (await gqlOk(app.url, PAGE, {}, me.token)).conversations.edges.map(
      (e: any) => e.node,
    );
    const big = page.find((c: any) => c.id === group.id);
    expect(big.participantCount).toBe(LISTED_MEMBERS + 5);
    // The first N in joining order: the same people, in the same order, as the full list.
    expect(big.participants).toEqual(one.participants.slice(0, LISTED_MEMBERS));
    expect(big.members).toEqual(one.members.slice(0, LISTED_MEMBERS));
    const pair = page.find((c: any) => c.id === direct.id);
    expect(pair.participantCount).toBe(2);
    expect(new Set(pair.participants.map((u: any) => u.id))).toEqual(new Set([me.id, other.id]));
  });

  it('answers a page with the same number of queries however many conversations it holds', async () => {
    const me = await registerUser(app.url, 'capcount');
    const members = await insertUsers(LISTED_MEMBERS + 5);
    await createConversation(app.url, me.token, members, 'First');
    const page = () => countQueries(app, () => gqlOk(app.url, PAGE, {}, me.token));
    const before = await page();
    for (let i = 0; i < 4; i++) {
      await createConversation(app.url, me.token, members.slice(i * 10, i * 10 + 12), `G${i}`);
    }
    const after = await page();
    expect(after.result.conversations.edges).toHaveLength(5);
    expect(after.result.conversations.edges.map((e: any) => e.node.participantCount)).toEqual([
      13,
      13,
      13,
      13,
      LISTED_MEMBERS + 6,
    ]);
    expect(after.queries).toBe(before.queries);
  });

  it('caps REST GET /conversations the same way; GET /conversations/:id lists everyone', async () => {
    const me = await registerUser(app.url, 'caprest');
    const group = await createConversation(
      app.url,
      me.token,
      await insertUsers(LISTED_MEMBERS + 4),
      'REST group',
    );
    const get = async (path: string) => {
      const res = await fetch(`${app.url}${path}`, {
        headers: { authorization: `Bearer ${me.token}` },
      });
      expect(res.status).toBe(200);
      return (await res.json()) as any;
    };
    const [listed] = (await get('/conversations')).items;
    expect(listed.id).toBe(group.id);
    expect(listed.participants).toHaveLength(LISTED_MEMBERS);
    expect(listed.participantCount).toBe(LISTED_MEMBERS + 5);
    const full = await get(`/conversations/${group.id}`);
    expect(full.participants).toHaveLength(LISTED_MEMBERS + 5);
    expect(full.participantCount).toBe(LISTED_MEMBERS + 5);
  });
});
