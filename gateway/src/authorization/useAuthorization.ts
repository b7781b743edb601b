/**
 * The authorization stage around the gateway's executor: decide and rewrite
 * the operation before planning (authorizeOperation), execute the rewritten
 * operation under its own query-plan cache key, then complete the response
 * (completeResponse) and audit every denial.
 *
 * It must never: send a denied field to a subgraph, let a plan built for one
 * set of rights serve another, or drop a denial from the audit log.
 */
import { createHash } from 'node:crypto';
import { print } from 'graphql';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { MeshContext } from '../context';
import type { ExecutionStage } from '../execution/MeshGateway';
import type { Logger } from '../logger';
import { authorizeOperation, type AuthorizationPlan, type IntrospectionPolicy } from './authorizeOperation';
import type { CompiledPolicy } from './compilePolicy';
import { completeResponse, type DeniedPath } from './completeResponse';

export type DenialListener = (denial: DeniedPath, requestContext: GatewayGraphQLRequestContext<MeshContext>) => void;

export type AuthorizationOptions = {
  /** The policy compiled for the supergraph currently served. */
  policy: () => CompiledPolicy;
  introspection: IntrospectionPolicy;
  logger: Logger;
  onDenial?: DenialListener;
};

const PRINTED_CACHE_SIZE = 1000;

export function useAuthorization(options: AuthorizationOptions): ExecutionStage {
  // Printing and hashing a rewritten operation costs more than deciding it: reuse them per shape.
  const printed = new Map<string, { source: string; queryHash: string }>();
  const printedFor = (requestContext: GatewayGraphQLRequestContext, plan: AuthorizationPlan) => {
    const shape = `${requestContext.queryHash}|${requestContext.operationName ?? ''}|${JSON.stringify([
      plan.denials.map((denial) => [denial.steps.map((step) => step.key), denial.onTypes]),
      plan.rowChecks.map((check) => check.steps.map((step) => step.key)),
    ])}`;
    let entry = printed.get(shape);
    if (!entry) {
      const source = print(plan.document);
      entry = { source, queryHash: createHash('sha256').update(source).digest('hex') };
      if (printed.size >= PRINTED_CACHE_SIZE) printed.delete(printed.keys().next().value!);
      printed.set(shape, entry);
    }
    return entry;
  };

  return (next) => async (requestContext) => {
    const context = requestContext.context as MeshContext;
    const onRuleError = (rule: string, error: unknown) =>
      options.logger.error({ err: error, rule, requestId: context.requestId }, 'an authorization rule threw; the field is denied');
    const plan = await authorizeOperation({
      schema: requestContext.schema,
      policy: options.policy(),
      document: requestContext.document,
      operationName: requestContext.operationName,
      variables: requestContext.request.variables,
      context,
      introspection: options.introspection,
      onRuleError,
    });
    if (!plan.changed) return next(requestContext);
    const { source, queryHash } = printedFor(requestContext, plan);
    const result = await next({ ...requestContext, document: plan.document, source, queryHash });
    const denied = await completeResponse(result as never, plan, context, onRuleError);
    for (const denial of denied) options.onDenial?.(denial, requestContext as GatewayGraphQLRequestContext<MeshContext>);
    return result;
  };
}
