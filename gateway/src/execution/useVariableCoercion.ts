/**
 * The variable-coercion stage, outermost of the execution stages: the
 * request's variables are coerced against the operation's definitions once
 * (defaults applied, types checked, graphql-js's getVariableValues), and every
 * later stage reads the coerced values (`coercedVariablesOf`), never the raw
 * JSON. Authorization decides on the value the subgraph will use, and cache
 * keys name the value, not its spelling (`1e400` is an error, not a key).
 *
 * Guarantees: a request whose variables do not coerce, or are nested deeper
 * than MAX_VARIABLE_DEPTH, gets 400 BAD_USER_INPUT and reaches no later stage,
 * cache or subgraph. Depth is measured without recursion, so no value can
 * overflow the stack here or in a later stage that walks it.
 *
 * It must never: change what is sent to subgraphs (the plan forwards the raw
 * variables, and the subgraph applies the same defaults).
 */
import { GraphQLError, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { ExecutionStage } from './MeshGateway';

/** Deeper than any input type of the supergraph needs; a deeper value is an attack on recursive walkers. */
export const MAX_VARIABLE_DEPTH = 32;

const coercedByRequest = new WeakMap<object, Record<string, unknown>>();

/** The coerced variables of a request that passed this stage (the raw ones, defaults not applied, if it did not run). */
export function coercedVariablesOf(requestContext: Pick<GatewayGraphQLRequestContext, 'request'>): Record<string, unknown> {
  return coercedByRequest.get(requestContext.request) ?? requestContext.request.variables ?? {};
}

/** The nesting depth of a JSON value, with an explicit stack; stops counting past `limit`. */
export function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    if (current && typeof current === 'object') for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return deepest;
}

const badInput = (message: string) => new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });

export function coerceVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  raw: Record<string, unknown> | undefined,
): { coerced: Record<string, unknown>; errors?: undefined } | { errors: readonly GraphQLError[]; coerced?: undefined } {
  const variables = raw ?? {};
  const depth = depthOf(variables, MAX_VARIABLE_DEPTH + 1);
  // The variables object itself is level 1: `{ "v": 1 }` has depth 1.
  if (depth > MAX_VARIABLE_DEPTH + 1) return { errors: [badInput(`Variables are nested deeper than ${MAX_VARIABLE_DEPTH} levels.`)] };
  const { coerced, errors } = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 10 });
  if (errors) return { errors: errors.map((error) => badInput(error.message)) };
  return { coerced: coerced! };
}

export function useVariableCoercion(): ExecutionStage {
  return (next) => async (requestContext) => {
    if (!requestContext.operation) return next(requestContext);
    const result = coerceVariables(requestContext.schema, requestContext.operation, requestContext.request.variables);
    if (result.errors) return { errors: result.errors };
    coercedByRequest.set(requestContext.request, result.coerced);
    return next(requestContext);
  };
}
