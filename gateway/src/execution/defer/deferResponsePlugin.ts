/**
 * Sends an operation served in parts (useDefer.ts) as Apollo Server sends incremental delivery: the first
 * payload with `hasNext: true`, then each subsequent payload, as `multipart/mixed; boundary="-";
 * deferSpec=20220824` (Apollo Server's own multipart writer, runHttpQuery). The answer is never cacheable
 * (Cache-Control: no-store), so neither HTTP caches nor the response shortcut keep a partial answer.
 * It must never: turn an answer into parts when no part follows, or when the first payload failed as a
 * whole (an HTTP error status): that answer is sent as it is.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { incrementalStateOf } from './incrementalDelivery';

export function deferResponsePlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const subsequent = incrementalStateOf(contextValue)?.subsequent;
          if (!subsequent || response.body.kind !== 'single' || (response.http.status ?? 200) !== 200) return;
          response.http.headers.set('cache-control', 'no-store');
          response.body = { kind: 'incremental', initialResult: { ...response.body.singleResult, hasNext: true }, subsequentResults: subsequent as never };
        },
      };
    },
  };
}
