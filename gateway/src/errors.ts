/**
 * Every error code meshgate itself produces, with its meaning and HTTP status.
 * Codes from GraphQL execution (BAD_USER_INPUT, ...) come from Apollo Server.
 */
import { GraphQLError } from 'graphql';

export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, description: 'The HTTP request is not a GraphQL request (bad JSON, missing query).' },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'The request body is larger than server.bodyLimitBytes.' },
  NOT_FOUND: { status: 404, description: 'No such route on the gateway.' },
  SUBGRAPH_UNAVAILABLE: { status: 200, description: 'A subgraph could not be reached or answered with a server error; its fields are null, the rest of the data is served.' },
  SUBGRAPH_TIMEOUT: { status: 200, description: 'A subgraph did not answer within subgraphRequests.timeoutMs; its fields are null.' },
  SUBGRAPH_BAD_RESPONSE: { status: 200, description: 'A subgraph answered with something that is not a GraphQL response.' },
  INTERNAL_SERVER_ERROR: { status: 500, description: 'An unexpected error; details are logged, and shown only in development mode.' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function meshError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}
