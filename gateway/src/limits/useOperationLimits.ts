/**
 * Receive stage: operation limits (depth, aliases, top-level fields, estimated
 * cost), per principal role (see ./config.ts for how roles combine).
 *
 * Contract: once Apollo Server has parsed, validated and picked the operation
 * (`didResolveOperation`), every rule in `RULES` measures it against the
 * limits of `context.principal` (the anonymous principal's when there is none).
 * Over any limit, nothing executes, no subgraph is asked anything, and the
 * response is HTTP 400 with one error per exceeded limit:
 *   { message: "Query depth 14 exceeds the limit of 12 for your role (analyst)",
 *     extensions: { code: "OPERATION_LIMIT_EXCEEDED", limit: "maxDepth", max: 12, actual: 14 } }
 * It never changes a request that is within its limits, and it keeps no state
 * outside the request.
 *
 * How: Apollo Server turns an error thrown in `didResolveOperation` into the
 * response (status from `extensions.http`) and lets it through `formatError`
 * and `didEncounterErrors`, whatever the plugin order; but it keeps only one
 * thrown error. So the first violation is thrown, and the others are added to
 * that same response in `willSendResponse`, formatted the way Apollo formats
 * errors (they do not pass through `formatError`).
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type DocumentNode, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { MeshContext } from '../context';
import { ANONYMOUS, type Principal } from '../identity/principal';
import { resolveLimits, type LimitsConfig } from './config';
import { AliasesRule } from './rules/AliasesRule';
import { CostRule } from './rules/CostRule';
import { DepthRule } from './rules/DepthRule';
import type { LimitRule, Variables } from './rules/operation';
import { RootFieldsRule } from './rules/RootFieldsRule';

export const OPERATION_LIMIT_EXCEEDED = 'OPERATION_LIMIT_EXCEEDED';

/** The rules every operation is measured with, cheapest first. */
export const RULES: readonly LimitRule[] = [RootFieldsRule, AliasesRule, DepthRule, CostRule];

function forWhom(principal: Pick<Principal, 'roles' | 'kind'>, grantedBy: string | undefined): string {
  if (grantedBy) return `for your role (${grantedBy})`;
  if (principal.roles.length) return `for your role${principal.roles.length > 1 ? 's' : ''} (${principal.roles.join(', ')})`;
  return principal.kind === 'anonymous' ? 'for anonymous requests' : 'for principals without a role';
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
    errors.push(
      new GraphQLError(`${message} ${forWhom(principal, grantedBy[limit])}`, {
        extensions: { code: OPERATION_LIMIT_EXCEEDED, limit, max, actual, http: { status: 400 } },
      }),
    );
  }
  return errors;
}

/** The largest request body this principal may send, for the HTTP layer. */
export function maxBodyBytesFor(config: LimitsConfig, principal: Pick<Principal, 'roles'>): number {
  return resolveLimits(config, principal).limits.maxBodyBytes;
}

/** What Apollo Server sends for a GraphQLError: its JSON without the `http` extension (which sets the status instead). */
function formatted(error: GraphQLError): GraphQLFormattedError {
  const { http: _http, ...extensions } = error.extensions;
  return { ...error.toJSON(), extensions };
}

/** Rejects, before execution, operations over the principal's limits with HTTP 400 and one error per exceeded limit. */
export function useOperationLimits(config: LimitsConfig): ApolloServerPlugin<MeshContext> {
  return {
    async requestDidStart() {
      let notThrown: GraphQLError[] = [];
      return {
        async didResolveOperation({ document, schema, request, contextValue }) {
          const principal = contextValue.principal ?? ANONYMOUS;
          const errors = operationLimitErrors(config, principal, { document, schema, variables: request.variables, operationName: request.operationName });
          if (errors.length === 0) return;
          notThrown = errors.slice(1);
          throw errors[0];
        },
        async willSendResponse({ response }) {
          if (notThrown.length === 0 || response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          result.errors = [...(result.errors ?? []), ...notThrown.map(formatted)];
        },
      };
    },
  };
}
