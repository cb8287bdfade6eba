/**
 * Bench data made straight in the scratch database, and access tokens minted here.
 *
 * Registering thousands of users through the API costs ~20 ms of argon2 each, so users,
 * conversations and participants are inserted with SQL (the schema comes from the server's own
 * migrations), and tokens are HS256 JWTs `{sub, sid, exp}` signed with the same JWT_SECRET the server
 * is started with — exactly what the server's TokenService verifies. Users made this way have an
 * unusable password hash: they can only act through these tokens.
 */
import type { TestDatabase } from '../../test/support/database.js';
import { accessToken } from '../../test/support/tokens.js';

export interface BenchUser {
  id: string;
  token: string;
}

/** `count` users named `<prefix><n>`, in order, with tokens (signed with the kit's JWT_SECRET). */
export async function createUsers(
  db: TestDatabase,
  prefix: string,
  count: number,
): Promise<BenchUser[]> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO users (username, display_name, password_hash)
     SELECT $1 || g, 'Bench ' || $1 || g, 'not-a-password-hash'
       FROM generate_series(0, $2 - 1) g
     ORDER BY g
     RETURNING id`,
    [prefix, count],
  );
  return rows.map(({ id }) => ({ id, token: accessToken(id) }));
}

/** One group conversation per member list; returns the conversation ids in order. */
export async function createGroups(
  db: TestDatabase,
  title: string,
  memberLists: readonly (readonly BenchUser[])[],
): Promise<string[]> {
  if (memberLists.length === 0) return [];
  const rows = await db.query<{ id: string }>(
    `INSERT INTO conversations (title, is_direct)
     SELECT $1 || ' ' || g, false FROM generate_series(1, $2) g ORDER BY g RETURNING id`,
    [title, memberLists.length],
  );
  const conversationIds = rows.map((r) => r.id);
  const pairs = memberLists.flatMap((members, i) =>
    members.map((m) => [conversationIds[i], m.id] as const),
  );
  // In chunks, so a 1,000-member group (or 200 groups) stays one modest statement each.
  for (let i = 0; i < pairs.length; i += 5000) {
    const chunk = pairs.slice(i, i + 5000);
    await db.query(
      `INSERT INTO participants (conversation_id, user_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[])`,
      [chunk.map((p) => p[0]), chunk.map((p) => p[1])],
    );
  }
  return conversationIds;
}

/**
 * A conversation of `count` messages between two users, filled by generate_series (seconds apart,
 * alternate senders), for the history scenario.
 */
export async function createDeepConversation(
  db: TestDatabase,
  a: BenchUser,
  b: BenchUser,
  count: number,
): Promise<string> {
  const [id] = await createGroups(db, 'deep history', [[a, b]]);
  await db.query(
    `INSERT INTO messages (conversation_id, seq, sender_id, text, created_at, event_seq)
     SELECT $1, g, CASE WHEN g % 2 = 0 THEN $2::uuid ELSE $3::uuid END, 'message number ' || g,
            now() - make_interval(secs => $4 - g), g
       FROM generate_series(1, $4) g`,
    [id, a.id, b.id, count],
  );
  // Each message's creation is one change (the memberships of these fixtures take none).
  await db.query(
    `UPDATE conversations SET last_seq = $2, last_event_seq = $2, last_message_at = now() WHERE id = $1`,
    [id, count],
  );
  return id;
}
