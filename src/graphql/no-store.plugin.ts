/**
 * Every GraphQL answer over HTTP is `Cache-Control: no-store`: answers are private to their token
 * (the contract's GET queries too), and the schema gives no cache hints. Apollo's cache-control
 * plugin said the same for every answer, but it listens to every resolved field, which makes
 * Apollo wrap every resolver of the schema for the process's lifetime, the WebSocket server's
 * executions included (bench/README.md, "Round three: the send path's CPU"); it is turned off
 * (ApolloServerPluginCacheControlDisabled) and this sets the header once per answer.
 */
import type { ApolloServerPlugin } from '@apollo/server';

export const noStorePlugin: ApolloServerPlugin = {
  requestDidStart() {
    return Promise.resolve({
      willSendResponse({ response }) {
        response.http.headers.set('cache-control', 'no-store');
        return Promise.resolve();
      },
    });
  },
};
