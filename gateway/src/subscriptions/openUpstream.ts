/**
 * Opens a subscription's primary fetch at the subgraph that owns its root
 * field: one event-stream request (graphql-sse's client, distinct connections
 * mode) signed by the gateway for that subgraph on behalf of the subscriber,
 * exactly as its queries are (subgraphs/lib/signing.ts), so the subgraph
 * verifies it once when the stream starts and knows the principal.
 *
 * Guarantees: no retries (a stream that failed is reported and ends the
 * subscription: resubscribing is the client's decision, and events missed in
 * between could not be told apart); return() closes the request.
 *
 * Must never: send a principal or signature header it did not make, or the
 * variables the subgraph operation does not use.
 */
import type { ExecutionResult } from 'graphql';
import { createClient } from 'graphql-sse';
import type { FetchNode } from '@apollo/query-planner';
import type { MeshGateway } from '../execution/MeshGateway';
import type { Principal } from '../identity/principal';
import { REQUEST_ID_HEADER } from '../http/requestContext';

export type UpstreamInput = { gateway: MeshGateway; primary: FetchNode; principal: Principal; variables: Record<string, unknown>; requestId: string };

export function openUpstream({ gateway, primary, principal, variables, requestId }: UpstreamInput): AsyncIterableIterator<ExecutionResult> {
  const url = gateway.subgraphUrls().get(primary.serviceName);
  if (!url) throw new Error(`Subgraph "${primary.serviceName}" is not in the supergraph served now`);
  const used: Record<string, unknown> = {};
  for (const name of primary.variableUsages ?? []) if (variables[name] !== undefined) used[name] = variables[name];
  const signedFetch: typeof fetch = (input, init) => {
    const body = typeof init?.body === 'string' ? init.body : '';
    const given = new Headers(init?.headers);
    const headers: Record<string, string> = { 'content-type': given.get('content-type') ?? 'application/json', accept: 'text/event-stream', [REQUEST_ID_HEADER]: requestId };
    return fetch(input, { ...init, headers: { ...headers, ...gateway.signedHeaders(primary.serviceName, principal, body) } });
  };
  const client = createClient({ url, fetchFn: signedFetch, retryAttempts: 0 });
  const events = client.iterate<Record<string, unknown>, Record<string, unknown>>({ query: primary.operation, variables: used, operationName: primary.operationName ?? undefined });
  return {
    next: () => events.next(),
    async return() {
      await events.return?.();
      client.dispose();
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
