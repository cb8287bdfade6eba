import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { describe, expect, it } from 'vitest';
import { noStorePlugin } from './no-store.plugin.js';

describe('noStorePlugin with cache control disabled', () => {
  it('answers no-store, as Apollo did, and leaves the schema resolvers unwrapped', async () => {
    const resolve = () => 'hi';
    const schema = new GraphQLSchema({
      query: new GraphQLObjectType({
        name: 'Query',
        fields: { hello: { type: GraphQLString, resolve } },
      }),
    });
    const server = new ApolloServer({
      schema,
      plugins: [ApolloServerPluginCacheControlDisabled(), noStorePlugin],
    });
    await server.start();
    try {
      const response = await server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: {
          method: 'POST',
          headers: new HeaderMap([['content-type', 'application/json']]),
          search: '',
          body: { query: '{ hello }' },
        },
        context: () => Promise.resolve({}),
      });
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.body).toMatchObject({
        kind: 'complete',
        string: '{"data":{"hello":"hi"}}\n',
      });
      // Apollo wraps every resolver once any plugin listens to fields; none does here.
      expect(schema.getQueryType()!.getFields().hello.resolve).toBe(resolve);
    } finally {
      await server.stop();
    }
  });
});
