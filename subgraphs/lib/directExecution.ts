/**
 * Answers a subgraph's ordinary requests with graphql-js directly instead of
 * through Apollo Server's request pipeline. Nearly every request a subgraph sees
 * is ordinary: the gateway POSTs JSON with one of a few query texts (an
 * `_entities` fetch with hundreds of representations, or a root field), and on
 * those Apollo Server's per-request machinery (its request context, the plugin
 * hooks around every resolved field, re-validating each text) cost more CPU
 * than running the resolvers. Here a text is parsed and validated once
 * (documents.ts) and the Cache-Control header comes from the schema's hints
 * without a per-field hook (cacheHints.ts).
 *
 * Contract: an answer is the one Apollo Server, as server.ts configures it,
 * would give: the same status, body (errors first, each with extensions.code,
 * no stack trace) and content-type and cache-control headers. Whatever is not
 * ordinary (another method or Accept header, a body that is not one plain
 * operation, `extensions` such as persisted queries, a text that does not parse
 * or validate, no operation to run, a subscription, variables that do not
 * coerce) gets null, and Apollo Server answers it. That is decided before any
 * resolver runs, so no request is ever executed twice.
 */
import type { IncomingMessage } from 'node:http';
import { execute, getOperationAST, type GraphQLError, type GraphQLSchema } from 'graphql';
import { HeaderMap, type HTTPGraphQLResponse } from '@apollo/server';
import { collectCacheHints, ResponseCachePolicy, RESPONSE_CACHE_POLICY } from './cacheHints';
import { ValidDocuments } from './documents';

type OrdinaryRequest = { query: string; variables?: Record<string, unknown>; operationName?: string };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The operation in a parsed POST body, or null when Apollo Server should read the body itself. */
function ordinaryRequest(body: unknown): OrdinaryRequest | null {
  if (!isRecord(body)) return null;
  const { query, variables, operationName, extensions } = body;
  if (typeof query !== 'string' || query === '') return null;
  if (variables != null && !isRecord(variables)) return null;
  if (operationName != null && typeof operationName !== 'string') return null;
  if (extensions != null) return null;
  return { query, variables: variables ?? undefined, operationName: operationName ?? undefined };
}

/**
 * Apollo Server's error format (errorNormalize.ts): every error gets an
 * extensions.code. Its `extensions.http` (a status set by a resolver) is not
 * honoured here: no subgraph resolver sets one.
 */
function formatError(error: GraphQLError) {
  return { ...error.toJSON(), extensions: { ...error.extensions, code: error.extensions.code ?? 'INTERNAL_SERVER_ERROR' } };
}

export class DirectExecution<TContext extends object> {
  private readonly schema: GraphQLSchema;
  private readonly documents: ValidDocuments;

  /** `schema` must be the server's own copy: its resolvers are wrapped to collect cache hints. */
  constructor(schema: GraphQLSchema) {
    this.schema = collectCacheHints(schema);
    this.documents = new ValidDocuments(this.schema);
  }

  /** The answer to `req` (whose JSON body is `body`), or null when Apollo Server must answer it. */
  async answer(req: IncomingMessage, body: unknown, context: () => TContext): Promise<HTTPGraphQLResponse | null> {
    // Apollo Server answers application/json to a request that accepts anything (the gateways send no Accept, or */*).
    if (req.method !== 'POST' || (req.headers.accept && req.headers.accept !== '*/*')) return null;
    const request = ordinaryRequest(body);
    if (!request) return null;
    const document = this.documents.get(request.query);
    const operation = document && getOperationAST(document, request.operationName);
    if (!document || !operation || operation.operation === 'subscription') return null;
    const policy = new ResponseCachePolicy();
    const result = await execute({
      schema: this.schema,
      document,
      variableValues: request.variables,
      operationName: request.operationName,
      contextValue: { ...context(), [RESPONSE_CACHE_POLICY]: policy },
    });
    // No data at all: the variables did not coerce and nothing ran; Apollo Server answers that (HTTP 400).
    if (result.data === undefined) return null;
    const errors = result.errors?.map(formatError);
    return {
      status: 200,
      // In the order Apollo Server sets them.
      headers: new HeaderMap([
        ['cache-control', errors ? 'no-store' : policy.header()],
        ['content-type', 'application/json; charset=utf-8'],
      ]),
      body: { kind: 'complete', string: `${JSON.stringify({ errors, data: result.data })}\n` },
    };
  }
}
