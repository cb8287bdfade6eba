/** What to tell the user when an operation fails: the server's message, or that it is unreachable. */
import type { CombinedError } from '@urql/core';

export function describeError(error: CombinedError): string {
  if (error.networkError) return 'No connection to the server';
  return error.graphQLErrors[0]?.message ?? 'Something went wrong';
}

/** The error's `extensions.code` (see the contract), when the server gave one. */
export function errorCode(error: CombinedError): string | undefined {
  const code = error.graphQLErrors[0]?.extensions?.code;
  return typeof code === 'string' ? code : undefined;
}
