/**
 * A subgraph's subscriptions over its own /graphql: a signed POST with
 * `Accept: text/event-stream` (server.ts verifies the signature first) whose
 * body is one subscription, executed with graphql-js's `subscribe` on the
 * subgraph's schema and written as an event stream (sse.ts) that pulls each
 * event only after the previous one was flushed, so a reader that stops
 * reading is bounded by the subscription's own queue (eventStream.ts).
 *
 * Guarantees: the document is validated against the subgraph schema before
 * anything listens; only subscription operations are served this way.
 * Must never: run a query or mutation as a stream, or listen for an invalid document.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getOperationAST, GraphQLError, parse, specifiedRules, subscribe, validate, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { writeEventStream } from './sse';

const failure = (message: string): ExecutionResult => ({ errors: [new GraphQLError(message, { extensions: { code: 'BAD_REQUEST' } })] });

/**
 * `freshLoaders` gives each event its own loader set: graphql-js resolves an event inside the iterator's
 * next(), with the subscription's one context, and a loader memoizes; without it an event would read a
 * zone or carrier as an earlier event found it.
 */
export async function serveSubscription<TContext extends { loaders: unknown }>(
  schema: GraphQLSchema,
  _req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  contextValue: TContext,
  freshLoaders: () => TContext['loaders'],
): Promise<void> {
  const { query, variables, operationName } = (body ?? {}) as { query?: unknown; variables?: Record<string, unknown> | null; operationName?: string | null };
  if (typeof query !== 'string') return writeEventStream(res, failure('The request has no "query" string'));
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    return writeEventStream(res, { errors: [error as GraphQLError] });
  }
  const errors = validate(schema, document, specifiedRules);
  if (errors.length) return writeEventStream(res, { errors });
  if (getOperationAST(document, operationName ?? undefined)?.operation !== 'subscription') return writeEventStream(res, failure('Only subscriptions are served as event streams'));
  const result = await subscribe({ schema, document, variableValues: variables ?? undefined, operationName: operationName ?? undefined, contextValue });
  if (!(Symbol.asyncIterator in result)) return writeEventStream(res, result);
  const events = result as AsyncIterableIterator<ExecutionResult>;
  const perEvent: AsyncIterableIterator<ExecutionResult> = {
    next() {
      contextValue.loaders = freshLoaders();
      return events.next();
    },
    return: () => events.return?.() ?? Promise.resolve({ done: true, value: undefined }),
    [Symbol.asyncIterator]() {
      return perEvent;
    },
  };
  return writeEventStream(res, perEvent);
}
