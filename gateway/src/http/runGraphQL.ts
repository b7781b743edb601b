/**
 * What /graphql does with a request once its principal is known and its body
 * read: the persisted-operation lookup (an official operation by id; an
 * ad-hoc query refused, audited, for an official-only role), the parser's
 * token limit for that principal, the response shortcut
 * (answers from the response cache or a request in flight), Apollo Server
 * (operation limits, validation, and the executor's stages: authorization,
 * response cache, audit of every denial) and the caching headers decided
 * last. The front door (http/server.ts) runs /graphql through it, and so do
 * the MCP endpoint's tool calls (mcp/): one path for both.
 *
 * One exception, asked for by name: `gatewayDocument` skips the
 * persisted-operation lookup for documents the gateway itself wrote (the MCP
 * catalog tools' queries, fixed in code like an official operation, with only
 * variables from the caller). Every later stage still runs.
 *
 * Must never: skip a stage for a caller's own document, or answer without
 * Apollo Server or the shortcut having run the request for this context's
 * principal.
 */
import type { IncomingMessage } from 'node:http';
import type { ApolloServer, HTTPGraphQLResponse } from '@apollo/server';
import { runApolloRequest } from '../../../subgraphs/lib/http';
import { withHttpCacheHeaders } from '../cache/httpCacheHeaders';
import type { ResponseShortcut } from '../cache/responseShortcut';
import type { MeshContext } from '../context';
import type { Principal } from '../identity/principal';
import { resolveHttpRequest, type OperationRequests } from '../operations/operationRequests';

export type GraphQLRunnerOptions = {
  apollo: ApolloServer<MeshContext>;
  /** Runs the request with the parser stopping at this principal's token limit (limits/parseTokenLimit.ts). */
  withTokenLimit<T>(principal: Principal, run: () => Promise<T>): Promise<T>;
  shortcut?: ResponseShortcut;
  /** Official operations by id, and the refusal of ad-hoc queries for official-only roles. */
  operations?: OperationRequests;
};

/** Runs one GraphQL-over-HTTP request (`req` gives method, URL and headers; `body` is the raw body) as `context`'s principal. */
export type GraphQLRunner = (
  req: IncomingMessage,
  body: Buffer,
  context: MeshContext,
  options?: {
    gatewayDocument?: boolean;
    /** The front door looked the operation up already (it routes event streams on the resolved operation). */
    lookedUp?: boolean;
  },
) => Promise<HTTPGraphQLResponse>;

export function graphqlRunner({ apollo, withTokenLimit, shortcut, operations }: GraphQLRunnerOptions): GraphQLRunner {
  return async (req, body, context, options = {}) => {
    // Before anything keys on the query text: an id becomes its official document; an ad-hoc query may be refused (HttpError).
    if (operations && !options.gatewayDocument && !options.lookedUp) body = await resolveHttpRequest(operations, req, body, context);
    const run = async () => withHttpCacheHeaders(await withTokenLimit(context.principal, () => runApolloRequest(apollo, req, body, async () => context)), context);
    // Caching headers are decided last, for whatever answered: never public for a principal or PII (httpCacheHeaders.ts).
    return withHttpCacheHeaders(await (shortcut ? shortcut.respond(req, body, context, run) : run()), context);
  };
}
