/**
 * GraphQL clients as people use them: urql with its default settings sends queries as GET
 * (`?query=…&variables=…`) and mutations as POST. The contract allows GET queries that carry the
 * Authorization header (no cross-site form can send one, so it stays CSRF-safe); mutations over
 * GET and header-less GETs stay refused, and change nothing.
 */
import { cacheExchange, Client, fetchExchange, gql as urqlGql } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { useApp } from '../support/fixtures.js';
import { registerUser } from '../support/gql.js';

const { app, db } = useApp();

/** urql's defaults: only the URL, the token header and a fetch (which records each method). */
function urqlClient(token: string, methods: string[]): Client {
  return new Client({
    url: `${app.url}/graphql`,
    exchanges: [cacheExchange, fetchExchange],
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
    fetch: (input, init) => {
      methods.push(init?.method ?? 'GET');
      return fetch(input, init);
    },
  });
}

const ME = urqlGql`
  query Me {
    me {
      id
      username
    }
  }
`;
const CREATE = urqlGql`
  mutation Create($input: CreateConversationInput!) {
    createConversation(input: $input) {
      id
      isDirect
    }
  }
`;
const CONVERSATIONS = urqlGql`
  query Conversations($first: Int) {
    conversations(first: $first) {
      edges {
        node {
          id
        }
      }
    }
  }
`;

describe('urql with its default settings', () => {
  it('runs queries (as GET) and mutations (as POST)', async () => {
    const [alice, bob] = [await registerUser(app.url, 'alice'), await registerUser(app.url, 'bob')];
    const methods: string[] = [];
    const client = urqlClient(alice.token, methods);

    const me = await client.query(ME, {}).toPromise();
    expect(me.error).toBeUndefined();
    // (urql adds __typename to every selection.)
    expect(me.data).toMatchObject({ me: { id: alice.id, username: alice.username } });

    const created = await client
      .mutation(CREATE, { input: { participantIds: [bob.id] } })
      .toPromise();
    expect(created.error).toBeUndefined();
    expect(created.data.createConversation.isDirect).toBe(true);

    // Variables travel in the URL too.
    const list = await client
      .query(CONVERSATIONS, { first: 10 }, { requestPolicy: 'network-only' })
      .toPromise();
    expect(list.error).toBeUndefined();
    expect(list.data.conversations.edges).toMatchObject([
      { node: { id: created.data.createConversation.id } },
    ]);
    expect(methods).toEqual(['GET', 'POST', 'GET']);
  });

  it('refuses a mutation over GET and a GET without the Authorization header; no cache keeps a GET answer', async () => {
    const carol = await registerUser(app.url, 'carol');
    const dave = await registerUser(app.url, 'dave');
    const mutation = `mutation { createConversation(input: { participantIds: ["${dave.id}"] }) { id } }`;
    const viaGet = await fetch(`${app.url}/graphql?query=${encodeURIComponent(mutation)}`, {
      headers: { authorization: `Bearer ${carol.token}` },
    });
    expect(viaGet.status).toBe(405);
    const rows = await db.query('SELECT count(*)::int AS n FROM participants WHERE user_id = $1', [
      carol.id,
    ]);
    expect(rows[0].n).toBe(0);

    // A GET query's answer is private to its token: no cache keeps it.
    const query = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`, {
      headers: { authorization: `Bearer ${carol.token}` },
    });
    expect(await query.json()).toEqual({ data: { me: { id: carol.id } } });
    expect(query.headers.get('cache-control')).toBe('no-store');

    // A cross-site page can make a browser send this (a link, an image): refused, whatever it asks.
    const bare = await fetch(`${app.url}/graphql?query=${encodeURIComponent('{ __typename }')}`);
    expect(bare.status).toBe(400);
    expect(await bare.text()).toMatch(/CSRF/i);
  });
});
