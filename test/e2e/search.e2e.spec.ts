/**
 * searchMessages on two instances sharing one PostgreSQL: each matching rule (words in any
 * order, case and accents, phrases, exclusions, substrings in scripts without spaces), newest
 * first with paging, the conversation filter, who may find what (members now only; a late joiner
 * finds the history from before they joined), tombstones and edits, highlights, hostile queries,
 * and that the plan uses the search indexes.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { searchStatement } from '../../src/search/search.repository.js';
import { parseSearch } from '../../src/search/search-query.js';
import { createConversation, sendMessage } from '../support/factories.js';
import { useApp, useUsers } from '../support/fixtures.js';
import { errorCode, gql, gqlOk, registerUsers } from '../support/gql.js';

const {
  db,
  apps: [a, b],
} = useApp({ instances: 2 });
const [alice, bob, carol, dave] = useUsers(a, ['alice', 'bob', 'carol', 'dave']);

const SEARCH = `query($q: String!, $c: ID, $first: Int, $after: String) {
  searchMessages(query: $q, conversationId: $c, first: $first, after: $after) {
    edges { cursor node { id conversationId seq text deletedAt } highlights { start length } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface Found {
  node: { id: string; conversationId: string; seq: number; text: string };
  highlights: { start: number; length: number }[];
}

/** Searches as `token` on instance b (messages are sent through a): the texts found, newest first. */
async function search(token: string, q: string, c?: string): Promise<string[]> {
  return (await edges(token, q, c)).map((e) => e.node.text);
}

async function edges(token: string, q: string, c?: string): Promise<Found[]> {
  const data = await gqlOk(b.url, SEARCH, { q, c, first: 200 }, token);
  return data.searchMessages.edges as Found[];
}

/** A fresh word, so that each test sees its own messages only. */
let counter = 0;
const tag = () => `t${Date.now().toString(36)}x${(counter++).toString(36)}`;

async function group(title: string, ...members: { id: string }[]) {
  return createConversation(
    a.url,
    alice.token,
    members.map((m) => m.id),
    title,
  );
}

describe('matching', () => {
  it('finds whole words in any order, case- and accent-insensitively', async () => {
    const t = tag();
    const c = await group('words', bob);
    await sendMessage(a.url, alice.token, c.id, `${t} Le Café est OUVERT`);
    await sendMessage(a.url, bob.token, c.id, `${t} ouvert cafeteria`);
    await sendMessage(a.url, bob.token, c.id, `${t} nothing here`);
    expect(await search(bob.token, `ouvert CAFE ${t}`)).toEqual([`${t} Le Café est OUVERT`]);
    expect(await search(bob.token, `${t} café`)).toEqual([`${t} Le Café est OUVERT`]);
    // Whole words: "cafe" is not "cafeteria", "ouv" is not "ouvert".
    expect(await search(bob.token, `${t} ouv`)).toEqual([]);
  });

  it('matches "phrases" as consecutive words and -word excludes', async () => {
    const t = tag();
    const c = await group('phrases', bob);
    await sendMessage(a.url, alice.token, c.id, `${t} the red car is fast`);
    await sendMessage(a.url, alice.token, c.id, `${t} the car is red`);
    expect(await search(bob.token, `${t} "red car"`)).toEqual([`${t} the red car is fast`]);
    expect(await search(bob.token, `${t} car -fast`)).toEqual([`${t} the car is red`]);
    expect(await search(bob.token, `${t} -"red car"`)).toEqual([`${t} the car is red`]);
  });

  it('matches Chinese and Japanese by substring, short ones too', async () => {
    const t = tag();
    const c = await group('cjk', bob);
    await sendMessage(a.url, alice.token, c.id, `${t} 我们明天去北京烤鸭店吃饭`);
    await sendMessage(a.url, alice.token, c.id, `${t} 東京タワーに行きました`);
    expect(await search(bob.token, `${t} 北京烤鸭`)).toEqual([`${t} 我们明天去北京烤鸭店吃饭`]);
    expect(await search(bob.token, `タワー ${t}`)).toEqual([`${t} 東京タワーに行きました`]);
    // One or two characters have no trigram: still found (LIKE over the caller's messages).
    expect(await search(bob.token, `${t} 京`)).toEqual([
      `${t} 東京タワーに行きました`,
      `${t} 我们明天去北京烤鸭店吃饭`,
    ]);
    expect(await search(bob.token, `${t} 京 -烤鸭`)).toEqual([`${t} 東京タワーに行きました`]);
  });
});

describe('order and paging', () => {
  it('lists newest first, pages with after, and filters by conversation', async () => {
    const t = tag();
    const one = await group('paging one', bob);
    const two = await group('paging two', bob);
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      const c = i % 2 === 0 ? one : two;
      sent.push((await sendMessage(a.url, alice.token, c.id, `${t} number ${i}`)).text);
    }
    const newestFirst = [...sent].reverse();
    expect(await search(bob.token, t)).toEqual(newestFirst);

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const data = await gqlOk(b.url, SEARCH, { q: t, first: 2, after }, bob.token);
      const page: { edges: Found[]; pageInfo: { hasNextPage: boolean; endCursor: string } } =
        data.searchMessages;
      seen.push(...page.edges.map((e) => e.node.text));
      pages++;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual(newestFirst);
    expect(pages).toBe(3);

    expect(await search(bob.token, t, two.id)).toEqual([sent[3], sent[1]]);
  });

  it('pages exactly, newest first, over conversations that match densely, sparsely, long ago or in ties', async () => {
    // Pages up to 50 take the recent-window path (a bound from each conversation's newest
    // messages), 120 the index path; both must give what a plain filtered sort gives.
    const t = tag();
    const [fay] = await registerUsers(a.url, ['fay']);
    const convs: { id: string }[] = [];
    for (let i = 0; i < 6; i++) convs.push(await group(`exact ${i}`, fay));
    // 34 more without messages: 40 conversations share the recent-window budget (1,600 rows), so
    // each window (40 rows) is shorter than the 60 messages below.
    for (let i = 0; i < 34; i++) await group(`empty ${i}`, fay);
    // 60 messages each, a minute apart, conversations interleaved in time. Where the word is:
    // 0 every message; 1 every fifth; 2 only the oldest (far outside any recent window);
    // 3 every third, but the matches of the newest 30 deleted; 4 pairs sharing a millisecond;
    // 5 never.
    await db.query(
      `INSERT INTO messages (conversation_id, seq, sender_id, text, created_at, event_seq, deleted_at)
       SELECT c.id, g, $2::uuid,
              CASE WHEN c.i = 0 OR (c.i = 1 AND g % 5 = 0) OR (c.i = 2 AND g = 1)
                        OR (c.i = 3 AND g % 3 = 0) OR (c.i = 4 AND g % 4 < 2)
                   THEN $3 || ' word ' || g || CASE WHEN g % 2 = 0 THEN ' 東京タワー' ELSE '' END
                   ELSE 'other ' || g END,
              now() - interval '2 days'
                + make_interval(mins => ((CASE WHEN c.i = 4 THEN g - g % 2 ELSE g END) * 6 + c.i)::int),
              g,
              CASE WHEN c.i = 3 AND g > 30 AND g % 3 = 0 THEN now() END
         FROM (SELECT id, n - 1 AS i FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n)) c
        CROSS JOIN generate_series(1, 60) g`,
      [convs.map((c) => c.id), alice.id, t],
    );
    // `tower` '' for the word alone, 'with'/'without' for the word and (not) the substring タワ.
    const expected = async (conversationId?: string, tower = '') =>
      (
        await db.query<{ text: string }>(
          `SELECT text FROM messages
            WHERE conversation_id = ANY ($1::uuid[]) AND deleted_at IS NULL AND text LIKE $2 || ' %'
              AND CASE $3 WHEN 'with' THEN text LIKE '%タワ%' WHEN 'without' THEN text NOT LIKE '%タワ%' ELSE true END
            ORDER BY created_at DESC, id DESC`,
          [conversationId ? [conversationId] : convs.map((c) => c.id), t, tower],
        )
      ).map((r) => r.text);
    const pages = async (first: number, c?: string, q = t) => {
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const data = await gqlOk(b.url, SEARCH, { q, c, first, after }, fay.token);
        const page: { edges: Found[]; pageInfo: { hasNextPage: boolean; endCursor: string } } =
          data.searchMessages;
        seen.push(...page.edges.map((e) => e.node.text));
        if (!page.pageInfo.hasNextPage) return seen;
        after = page.pageInfo.endCursor;
      }
    };
    const all = await expected();
    expect(all).toHaveLength(60 + 12 + 1 + 10 + 30);
    for (const first of [1, 3, 7, 50, 120]) {
      expect(await pages(first), `first: ${first}`).toEqual(all);
    }
    for (const first of [3, 120]) {
      expect(await pages(first, undefined, `${t} タワ`)).toEqual(await expected(undefined, 'with'));
      expect(await pages(first, undefined, `-タワ ${t}`)).toEqual(
        await expected(undefined, 'without'),
      );
    }
    for (const i of [0, 2, 4]) {
      expect(await pages(3, convs[i].id), `conversation ${i}`).toEqual(await expected(convs[i].id));
    }
    // In no conversation at all: nothing to share the window budget over, and nothing found.
    const [gus] = await registerUsers(a.url, ['gus']);
    const none = await gqlOk(b.url, SEARCH, { q: t, first: 1 }, gus.token);
    expect(none.searchMessages.edges).toEqual([]);
  });

  it('refuses a forged cursor and a conversation the caller is not in', async () => {
    const c = await group('not dave', bob);
    const forged = await gql(b.url, SEARCH, { q: 'x', after: 'bm9wZQ' }, bob.token);
    expect(errorCode(forged)).toBe('BAD_USER_INPUT');
    for (const id of [c.id, '00000000-0000-0000-0000-000000000000', 'not-a-uuid']) {
      const res = await gql(b.url, SEARCH, { q: 'x', c: id }, dave.token);
      expect(errorCode(res)).toBe('NOT_FOUND');
    }
  });
});

describe('permissions', () => {
  it('finds only conversations the caller is a member of now', async () => {
    const t = tag();
    const c = await group('members', bob, carol);
    await sendMessage(a.url, alice.token, c.id, `${t} secret plans`);
    expect(await search(dave.token, t)).toEqual([]);
    expect(await search(carol.token, t)).toEqual([`${t} secret plans`]);

    await gqlOk(
      a.url,
      `mutation($c: ID!) { leaveConversation(conversationId: $c) }`,
      { c: c.id },
      carol.token,
    );
    expect(await search(carol.token, t)).toEqual([]);
    // The sentinel: the same search still finds it for a member.
    expect(await search(bob.token, t)).toEqual([`${t} secret plans`]);
  });

  it('lets a late joiner find the history from before they joined', async () => {
    const t = tag();
    const c = await group('late joiner', bob);
    await sendMessage(a.url, alice.token, c.id, `${t} before dave`);
    await gqlOk(
      a.url,
      `mutation($c: ID!, $u: [ID!]!) { addParticipants(conversationId: $c, userIds: $u) { id } }`,
      { c: c.id, u: [dave.id] },
      alice.token,
    );
    expect(await search(dave.token, t)).toEqual([`${t} before dave`]);
  });
});

describe('changes', () => {
  it('never finds deleted messages, and finds edited ones by their current text only', async () => {
    const t = tag();
    const c = await group('changes', bob);
    const doomed = await sendMessage(a.url, alice.token, c.id, `${t} doomed words`);
    const edited = await sendMessage(a.url, alice.token, c.id, `${t} original words`);
    await gqlOk(
      a.url,
      `mutation($m: ID!) { deleteMessage(messageId: $m) { id } }`,
      { m: doomed.id },
      alice.token,
    );
    await gqlOk(
      a.url,
      `mutation($i: EditMessageInput!) { editMessage(input: $i) { id } }`,
      { i: { messageId: edited.id, text: `${t} rewritten words` } },
      alice.token,
    );
    expect(await search(bob.token, `${t} doomed`)).toEqual([]);
    expect(await search(bob.token, `${t} original`)).toEqual([]);
    expect(await search(bob.token, `${t} rewritten`)).toEqual([`${t} rewritten words`]);
    expect(await search(bob.token, `${t} words`)).toEqual([`${t} rewritten words`]);
  });
});

describe('highlights', () => {
  it('are the UTF-16 ranges of the matched words, accented and CJK', async () => {
    const t = tag();
    const c = await group('highlights', bob);
    const text = `${t} 😀 Ça va? NAÏVE café 東京タワー`;
    await sendMessage(a.url, alice.token, c.id, text);
    const [found] = await edges(bob.token, `${t} naive タワー ca`);
    const marked = found.highlights.map((h) => text.slice(h.start, h.start + h.length));
    expect(marked).toEqual([t, 'Ça', 'NAÏVE', 'タワー']);
  });
});

describe('bad and hostile queries', () => {
  it('refuses empty, over-long, NUL and lone-surrogate queries as BAD_USER_INPUT', async () => {
    for (const q of ['', 'x'.repeat(201), 'a\u0000b', 'a\uD800b', 'tail\uDC00']) {
      const res = await gql(b.url, SEARCH, { q }, bob.token);
      expect(errorCode(res), JSON.stringify(q)).toBe('BAD_USER_INPUT');
    }
    expect(await search(bob.token, 'x'.repeat(200))).toEqual([]);
  });

  it('answers any other query without a server error', async () => {
    const c = await group('fuzz', bob);
    const t = tag();
    await sendMessage(
      a.url,
      alice.token,
      c.id,
      `${t} O'Brien said "hi" -- & | ! ( ) : * \\ 100% _x_`,
    );
    const pieces = [
      '"',
      "'",
      '-',
      '--',
      '&',
      '|',
      '!',
      '(',
      ')',
      ':',
      '*',
      ':*',
      '\\',
      '%',
      '_',
      '<->',
      '<2>',
      'or',
      'and',
      'not',
      "'; DROP TABLE messages; --",
      '$1',
      '%s',
      '東京',
      '京',
      'é',
      '😀',
      ' ',
      '\t',
      'café',
      t,
      '""',
      '-"',
      'ﬁ',
      'İ',
      '\u0301',
      '\u200B',
      '\uFFFD',
    ];
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 300; i++) {
      const n = 1 + Math.floor(random() * 8);
      let q = '';
      for (let k = 0; k < n; k++) q += pieces[Math.floor(random() * pieces.length)];
      q = q.slice(0, 200);
      const res = await gql(b.url, SEARCH, { q }, bob.token);
      if (res.errors) expect(errorCode(res), JSON.stringify(q)).toBe('BAD_USER_INPUT');
      else expect(Array.isArray(res.data.searchMessages.edges), JSON.stringify(q)).toBe(true);
    }
    // The punctuation is no operator: the words around it still find the message.
    expect(await search(bob.token, `${t} "O'Brien" -- & | ! 100%`)).toHaveLength(1);
  });
});

describe('plan', () => {
  it('walks the newest-first index, falls back on the word or trigram index, never scans messages', async () => {
    // Enough rows in the caller's conversation that reading all of them would cost more.
    const [erin] = await registerUsers(a.url, ['erin']);
    const c = await group('plan', erin);
    await db.query(
      `INSERT INTO messages (conversation_id, seq, sender_id, text, created_at, event_seq)
       SELECT $1, 1000 + g, $2, 'filler ' || g || ' lorem ipsum 日本語のテキスト', now(), 1000 + g
         FROM generate_series(1, 20000) g`,
      [c.id, alice.id],
    );
    await db.query('ANALYZE messages');
    // One connection, sequential scans off: on a small table the planner would rather scan.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const page = { userId: erin.id, conversationId: null, after: null, limit: 50 };
      for (const [q, index] of [
        ['hello world', 'messages_search_words'],
        ['"red car" -blue', 'messages_search_words'],
        ['北京烤鸭', 'messages_search_substrings'],
      ] as const) {
        const { sql, params } = searchStatement(parseSearch(q), page);
        const plan = (await client.query(`EXPLAIN ${sql}`, params)).rows
          .map((r: Record<string, string>) => r['QUERY PLAN'])
          .join('\n');
        // The recent-window walk and the time-bounded range (pass 1 and 2), the GIN index for
        // a term rare in recent messages (pass 3).
        expect(plan, `${q}\n${plan}`).toMatch(/Index Scan Backward using messages_search_newest/);
        expect(plan, `${q}\n${plan}`).toMatch(/messages_search_newest.*\n.*created_at >= /);
        expect(plan, `${q}\n${plan}`).toContain(index);
        expect(plan, q).not.toMatch(/Seq Scan on messages/);
      }
    } finally {
      await client.end();
    }
  });
});
