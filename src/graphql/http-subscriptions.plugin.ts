/**
 * Subscriptions are served over WebSocket only. Sent as an HTTP POST, Apollo would execute the
 * subscription field as a query and fail inside it (a 500 with a stack in the log); this refuses
 * the request itself, as the client's mistake it is: 400 BAD_REQUEST.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

export const refuseHttpSubscriptionsPlugin: ApolloServerPlugin = {
  requestDidStart() {
    return Promise.resolve({
      didResolveOperation({ operation }) {
        if (operation?.operation !== 'subscription') return Promise.resolve();
        throw new GraphQLError(
          'Subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP',
          { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } },
        );
      },
    });
  },
};
