/**
 * An Apollo Server plugin: each GraphQL operation over HTTP into
 * chat_graphql_operation_duration_seconds (by operation name and type) and each error of its
 * answer into chat_graphql_errors_total (by operation name and the extensions.code the client
 * sees). Documents that do not parse or validate count as operation `(invalid)`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { AppMetrics } from './app.metrics.js';

export function graphqlMetricsPlugin(metrics: AppMetrics): ApolloServerPlugin {
  return {
    requestDidStart() {
      const started = performance.now();
      let operation = '(invalid)';
      let type = 'unknown';
      return Promise.resolve({
        didResolveOperation({ operationName, operation: definition }) {
          operation = metrics.operationLabel(operationName);
          type = definition?.operation ?? 'unknown';
          return Promise.resolve();
        },
        willSendResponse({ response }) {
          metrics.graphqlDuration.observe(
            { operation, type },
            (performance.now() - started) / 1000,
          );
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : [];
          for (const error of errors ?? []) {
            metrics.graphqlErrors.inc({
              operation,
              code: metrics.codeLabel(error.extensions?.code),
            });
          }
          return Promise.resolve();
        },
      });
    },
  };
}
