/**
 * The `@defer` stage, between variable coercion and authorization: an operation with `@defer` is split
 * (splitDeferred.ts) into a primary operation and one operation per deferred fragment, and each of them
 * takes every later stage on its own: authorization before planning, the response cache (which skips them),
 * meshgate's executor, completion (nulls and FORBIDDEN errors) and audit. The primary's answer goes back to
 * Apollo Server as the first payload; the deferred operations start as soon as it is known and their answers
 * become the subsequent payloads, in the order they complete (deferResponsePlugin.ts sends them).
 *
 * Guarantees: a client whose Accept header does not take multipart/mixed with deferSpec=20220824 gets 406
 * before anything runs, when something would be deferred (otherwise the answer is one payload, which the
 * caches may keep like any other); a deferred part whose object is null or absent in the first payload is not run (not
 * fetched, not audited) and not sent; a part that fails becomes a payload with `data: null` and its errors,
 * formatted by the same error policy as the first payload; at most MAX_DEFERRED_PARTS parts, each run once.
 * It must never: let a deferred part skip a stage the primary operation takes, or hold the first payload
 * back for a deferred one.
 */
import { createHash } from 'node:crypto';
import { GraphQLError, print, visit, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import type { GatewayExecutionResult, GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { ExecutionStage } from '../MeshGateway';
import { coercedVariablesOf } from '../useVariableCoercion';
import { acceptsDefer, markDeferred, notAcceptable, type IncrementalItem, type SubsequentPayload } from './incrementalDelivery';
import { operationOf, splitDeferred, type DeferredPart } from './splitDeferred';

export type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

type Data = Record<string, unknown>;

/** The value at a path of response keys; undefined when a step is missing, null or not an object. */
function objectAt(data: unknown, path: string[]): Data | undefined {
  let value = data;
  for (const key of path) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as Data)[key];
  }
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Data) : undefined;
}

/** The request with another document (its own text and hash, so plans and caches key by it), same variables and context. */
function withDocument(requestContext: GatewayGraphQLRequestContext, document: DocumentNode): GatewayGraphQLRequestContext {
  const source = print(document);
  const operation = operationOf(document, requestContext.operationName) ?? requestContext.operation;
  return { ...requestContext, document, source, queryHash: createHash('sha256').update(source).digest('hex'), operation };
}

/** As Apollo Server formats errors: a code for every error, no `http` extension, then the gateway's error policy. */
function formatWith(formatError: FormatError) {
  return (error: unknown): GraphQLFormattedError => {
    const graphQLError = error instanceof GraphQLError ? error : new GraphQLError((error as Error)?.message ?? String(error), { originalError: error as Error });
    const { http: _http, ...extensions } = { code: 'INTERNAL_SERVER_ERROR', ...graphQLError.extensions } as Record<string, unknown>;
    return formatError({ ...graphQLError.toJSON(), extensions }, graphQLError);
  };
}

async function runPart(next: GatewayExecutor, requestContext: GatewayGraphQLRequestContext, part: DeferredPart, format: (error: unknown) => GraphQLFormattedError): Promise<IncrementalItem> {
  let result: GatewayExecutionResult;
  try {
    result = await next(withDocument(requestContext, part.document));
  } catch (error) {
    result = { errors: [error instanceof GraphQLError ? error : new GraphQLError((error as Error).message, { originalError: error as Error })] };
  }
  // A null that propagated up to the fragment's object (a denied or failed non-null field) makes the payload's data null.
  const data = objectAt(result.data, part.path) ?? null;
  return { data, path: part.path, ...(part.label !== undefined && { label: part.label }), ...(result.errors?.length && { errors: result.errors.map(format) }) };
}

/** The payloads in the order the parts complete; the last one says there is nothing next. */
async function* inCompletionOrder(parts: Promise<IncrementalItem>[]): AsyncGenerator<SubsequentPayload> {
  const waiting = new Map(parts.map((part, index) => [index, part.then((item) => ({ item, index }))]));
  while (waiting.size) {
    const { item, index } = await Promise.race(waiting.values());
    waiting.delete(index);
    yield { incremental: [item], hasNext: waiting.size > 0 };
  }
}

/** Every `@defer` removed: the whole answer in one payload. */
const withoutDefer = (document: DocumentNode) => visit(document, { Directive: (node) => (node.name.value === 'defer' ? null : undefined) }) as DocumentNode;

export function useDefer(options: { formatError: FormatError }): ExecutionStage {
  const format = formatWith(options.formatError);
  return (next) => async (requestContext) => {
    const split = splitDeferred(requestContext.schema, requestContext.document, requestContext.operationName, coercedVariablesOf(requestContext));
    if (!split) return next(requestContext);
    // Nothing deferred after all (if: false, below a list, a mutation), or no one to stream to (an operation run in
    // process, without HTTP): the whole answer in one payload, as the proposal allows; the caches may keep it.
    if (split.deferred.length === 0 || !requestContext.request.http) return next(withDocument(requestContext, withoutDefer(requestContext.document)));
    if (!acceptsDefer(requestContext.request.http.headers.get('accept'))) return { errors: [notAcceptable()] };
    const state = markDeferred(requestContext.context);
    const primary = await next(withDocument(requestContext, split.primary));
    for (const path of split.placeholders) {
      const object = objectAt(primary.data, path);
      if (object) delete object.__typename;
    }
    const parts = split.deferred.filter((part) => objectAt(primary.data, part.path) !== undefined);
    if (parts.length) state.subsequent = inCompletionOrder(parts.map((part) => runPart(next, requestContext, part, format)));
    return primary;
  };
}
