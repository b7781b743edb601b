/**
 * Every error code meshgate itself produces, with its meaning and HTTP status.
 * Codes from GraphQL execution (BAD_USER_INPUT, ...) come from Apollo Server.
 */
import { GraphQLError } from 'graphql';

export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, description: 'The HTTP request is not a GraphQL request (bad JSON, missing query).' },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'The request body is larger than server.bodyLimitBytes.' },
  NOT_FOUND: { status: 404, description: 'No such route on the gateway.' },
  UNAUTHENTICATED: { status: 401, description: 'Credentials were sent but are not valid (bad signature, expired, wrong issuer or audience, unknown API key); never served as anonymous.' },
  IDENTITY_PROVIDER_UNAVAILABLE: { status: 503, description: 'The JWKS of the identity provider could not be fetched to verify a token.' },
  FORBIDDEN: { status: 200, description: 'A field the principal may not read: null at its path (with null propagation), the rule and the reason in the error; the rest of the data is served.' },
  OPERATION_LIMIT_EXCEEDED: { status: 400, description: "The operation exceeds a limit of the principal's role (tokens, depth, aliases, root fields, directives, fields after fragment expansion, cost); `limit`, `max` and `actual` say which." },
  OPERATION_NOT_SUPPORTED: { status: 400, description: 'An operation the gateway does not serve yet: subscriptions and @defer/@stream (streaming responses); the message says which.' },
  OPERATION_NOT_OFFICIAL: { status: 403, description: "The principal's role may run official operations only (operations.officialOnlyRoles), and this is not one: run an official operation by id (documentId or the persistedQuery extension). Audited." },
  PERSISTED_QUERY_NOT_FOUND: { status: 404, description: 'No official operation has the id sent as documentId or extensions.persistedQuery.sha256Hash (the sha256 of its document, listed in the manifest).' },
  SUBSCRIPTION_LIMIT_EXCEEDED: { status: 200, description: 'A principal already holds subscriptions.maxPerPrincipal subscriptions on this gateway instance; the new one is refused (over graphql-ws an error message, over SSE an error event).' },
  SLOW_CONSUMER: { status: 200, description: 'A subscriber fell subscriptions.maxBufferedEvents events behind; its subscription ends with this error (never unbounded memory). Resubscribe, and query what was missed.' },
  SUBSCRIPTION_ENDED: { status: 200, description: 'A subscription ended by the gateway: its token expired, the supergraph no longer serves its selection, its subgraph stream ended, or the gateway is stopping; the message says which.' },
  SUBGRAPH_UNAVAILABLE: { status: 200, description: 'A subgraph could not be reached or answered with a server error; its fields are null, the rest of the data is served.' },
  SUBGRAPH_TIMEOUT: { status: 200, description: 'A subgraph did not answer within subgraphRequests.timeoutMs; its fields are null.' },
  SUBGRAPH_BAD_RESPONSE: { status: 200, description: 'A subgraph answered with something that is not a GraphQL response.' },
  AUDIT_UNAVAILABLE: { status: 503, description: 'The audit log had no room for this request\'s records within audit.maxWaitMs; nothing was answered without its record. Retry later.' },
  COMPOSITION_FAILED: { status: 409, description: 'A subgraph registered at /supergraph/subgraphs does not compose with the others; nothing changed, the last good supergraph keeps serving.' },
  INTERNAL_SERVER_ERROR: { status: 500, description: 'An unexpected error; details are logged, and shown only in development mode.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function meshError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}
