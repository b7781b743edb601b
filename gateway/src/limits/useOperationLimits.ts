/**
 * Receive stage: operation limits (tokens, depth, aliases, top-level fields,
 * directives, introspection's own bounds, fields after fragment expansion,
 * estimated cost), per principal
 * role (see ./config.ts for how roles combine), and then the checks that may
 * only run on an operation within them (`then`: the operations not served
 * yet, validation).
 *
 * Contract: once Apollo Server has parsed the document and picked the
 * operation (`didResolveOperation`), every rule in `RULES` measures it
 * against the limits of `context.principal` (the anonymous principal's when
 * there is none). Every rule costs time linear in the document: fragments are
 * measured once each, never expanded. Over any limit, nothing else runs (not
 * validation, whose cost can grow faster than the document), nothing
 * executes, no subgraph is asked anything, and the response is HTTP 400 with
 * one error per exceeded limit:
 *   { message: "Query depth 14 exceeds the limit of 12 for your role (analyst)",
 *     extensions: { code: "OPERATION_LIMIT_EXCEEDED", limit: "maxDepth", max: 12, actual: 14 } }
 * Within the limits, each `then` check runs in order; the first that returns
 * errors answers with them (their own status). A document the parser gave up
 * on at the token limit (`parseTimeMaxTokens` in ./config.ts) gets the same kind of error,
 * `limit: "maxTokens"`, with `actual` one more than where parsing stopped.
 * It never changes a request that passes, and it keeps no state outside the
 * request.
 *
 * How: Apollo Server turns an error thrown in `didResolveOperation` into the
 * response (status from `extensions.http`) and lets it through `formatError`
 * and `didEncounterErrors`, whatever the plugin order; but it keeps only one
 * thrown error. So the first error is thrown, and the others are added to
 * that same response in `willSendResponse`, formatted the way Apollo formats
 * errors (they do not pass through `formatError`). The checks after the
 * limits run in this same hook, not in a plugin of their own: Apollo Server
 * starts every plugin's `didResolveOperation` at once, so another plugin
 * would validate an operation even when its limits reject it.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { GraphQLError, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { MeshContext } from '../context';
import { ANONYMOUS, type Principal } from '../identity/principal';
import { resolveLimits, type LimitsConfig } from './config';
import { AliasesRule } from './rules/AliasesRule';
import { CostRule } from './rules/CostRule';
import { DepthRule } from './rules/DepthRule';
import { DirectivesRule } from './rules/DirectivesRule';
import { ExpandedFieldsRule } from './rules/ExpandedFieldsRule';
import { IntrospectionRule } from './rules/IntrospectionRule';
import type { LimitRule, Variables } from './rules/operation';
import { RootFieldsRule } from './rules/RootFieldsRule';
import { TokensRule } from './rules/TokensRule';

export const OPERATION_LIMIT_EXCEEDED = 'OPERATION_LIMIT_EXCEEDED';

/** The rules every operation is measured with, cheapest first. */
export const RULES: readonly LimitRule[] = [TokensRule, RootFieldsRule, AliasesRule, DirectivesRule, DepthRule, IntrospectionRule, ExpandedFieldsRule, CostRule];

/** A check that runs after the limits, on an operation within them: its errors, or none. */
export type ReceiveCheck = (request: { document: DocumentNode; schema: GraphQLSchema; operation?: OperationDefinitionNode; principal: Principal }) => GraphQLError[];

function forWhom(principal: Pick<Principal, 'roles' | 'kind'>, grantedBy: string | undefined): string {
  if (grantedBy) return `for your role (${grantedBy})`;
  if (principal.roles.length) return `for your role${principal.roles.length > 1 ? 's' : ''} (${principal.roles.join(', ')})`;
  return principal.kind === 'anonymous' ? 'for anonymous requests' : 'for principals without a role';
}

function limitError(message: string, extensions: { limit: string; max: number; actual: number }): GraphQLError {
  return new GraphQLError(message, { extensions: { code: OPERATION_LIMIT_EXCEEDED, ...extensions, http: { status: 400 } } });
}

/** One OPERATION_LIMIT_EXCEEDED error per limit the operation exceeds for this principal; empty when within all. */
export function operationLimitErrors(
  config: LimitsConfig,
  principal: Pick<Principal, 'roles' | 'kind'>,
  request: { document: DocumentNode; schema: GraphQLSchema; variables?: Variables; operationName?: string | null },
): GraphQLError[] {
  const { limits, grantedBy } = resolveLimits(config, principal);
  const errors: GraphQLError[] = [];
  for (const rule of RULES) {
    const violation = rule(request.document, request.schema, request.variables, limits, request.operationName);
    if (!violation) continue;
    const { limit, max, actual, message } = violation;
    errors.push(limitError(`${message} ${forWhom(principal, grantedBy[limit])}`, { limit, max, actual }));
  }
  return errors;
}

/** The largest request body this principal may send, for the HTTP layer. */
export function maxBodyBytesFor(config: LimitsConfig, principal: Pick<Principal, 'roles'>): number {
  return resolveLimits(config, principal).limits.maxBodyBytes;
}

/** graphql-js's message when `parse(..., { maxTokens })` gives up (its wording has had "that" for "than"). */
const PARSER_TOKEN_LIMIT = /^Syntax Error: Document contains more tha[nt] (\d+) tokens\. Parsing aborted\.$/;

/** The maxTokens error for a document the parser gave up on, or undefined when the error is another one. */
function parseTimeTokenError(config: LimitsConfig, principal: Principal, error: GraphQLFormattedError): GraphQLError | undefined {
  if (error.extensions?.code !== ApolloServerErrorCode.GRAPHQL_PARSE_FAILED) return undefined;
  const stoppedAt = PARSER_TOKEN_LIMIT.exec(error.message)?.[1];
  if (!stoppedAt) return undefined;
  const { limits, grantedBy } = resolveLimits(config, principal);
  return limitError(`The query has more than ${stoppedAt} tokens (parsing stopped there), more than the limit of ${limits.maxTokens} ${forWhom(principal, grantedBy.maxTokens)}`, {
    limit: 'maxTokens',
    max: limits.maxTokens,
    actual: Number(stoppedAt) + 1,
  });
}

/** What Apollo Server sends for a GraphQLError: its JSON without the `http` extension (which sets the status instead). */
function formatted(error: GraphQLError): GraphQLFormattedError {
  const { http: _http, ...extensions } = error.extensions;
  return { ...error.toJSON(), extensions };
}

/**
 * Rejects, before execution, operations over the principal's limits with HTTP 400 and one error per exceeded limit;
 * then runs the `then` checks in order on the operations within them.
 */
export function useOperationLimits(
  config: LimitsConfig,
  options: {
    then?: readonly ReceiveCheck[];
    /** Told of each limit exceeded (the audit log), awaited before the answer: not of the `then` checks' errors. */
    onRejected?: (rejection: { limit: string; message: string }, request: { contextValue: MeshContext; operationName?: string | null; source?: string }) => unknown;
  } = {},
): ApolloServerPlugin<MeshContext> {
  const reportRejected = async (errors: readonly GraphQLError[], request: { contextValue: MeshContext; operationName?: string | null; source?: string }) => {
    for (const error of errors) await options.onRejected?.({ limit: String(error.extensions.limit), message: error.message }, request);
  };
  return {
    async requestDidStart() {
      let notThrown: GraphQLError[] = [];
      return {
        async didResolveOperation({ document, schema, request, operation, operationName, contextValue }) {
          const principal = contextValue.principal ?? ANONYMOUS;
          let errors = operationLimitErrors(config, principal, { document, schema, variables: request.variables, operationName: request.operationName });
          await reportRejected(errors, { contextValue, operationName: operationName ?? request.operationName, source: request.query });
          for (const check of options.then ?? []) {
            if (errors.length) break;
            errors = check({ document, schema, operation, principal });
          }
          if (errors.length === 0) return;
          notThrown = errors.slice(1);
          throw errors[0];
        },
        async willSendResponse({ response, contextValue, request }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const first = result.errors?.[0];
          const tokens = first && !result.data ? parseTimeTokenError(config, contextValue.principal ?? ANONYMOUS, first) : undefined;
          if (tokens) {
            result.errors = [formatted(tokens)];
            await reportRejected([tokens], { contextValue, operationName: request.operationName, source: request.query });
          }
          if (notThrown.length) result.errors = [...(result.errors ?? []), ...notThrown.map(formatted)];
        },
      };
    },
  };
}
