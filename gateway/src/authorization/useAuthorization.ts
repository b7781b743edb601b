/**
 * The authorization stage around the gateway's executor: decide and rewrite
 * the operation before planning (authorizeOperation), execute the rewritten
 * operation under its own query-plan cache key, then complete the response
 * (completeResponse) and audit every denial before answering.
 *
 * It must never: send a denied field to a subgraph, let a plan built for one
 * set of rights serve another, answer before its denials are in the audit
 * log's buffer (when the buffer is full the answer waits for room; if none is
 * made in time the request is refused with 503 AUDIT_UNAVAILABLE rather than
 * answered without its record), or read the raw request variables.
 */
import { createHash } from 'node:crypto';
import { GraphQLError, print } from 'graphql';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { MeshContext } from '../context';
import { ERROR_CODES, meshError } from '../errors';
import type { ExecutionStage } from '../execution/MeshGateway';
import { coercedVariablesOf } from '../execution/useVariableCoercion';
import type { Logger } from '../logger';
import { inSpan } from '../../../subgraphs/lib/telemetry/spans';
import { authorizeOperation, MissingRootTypeError, type AuthorizationPlan, type IntrospectionPolicy } from './authorizeOperation';
import type { CompiledPolicy } from './compilePolicy';
import { completeResponse, type DeniedPath } from './completeResponse';

/** What recording a denial gave: nothing to wait for, or a promise of 'recorded' or 'refused' (the audit log had no room in time). */
export type DenialRecording = void | Promise<'recorded' | 'refused'>;

export type DenialListener = (denial: DeniedPath, requestContext: GatewayGraphQLRequestContext<MeshContext>) => DenialRecording;

export type AuthorizationOptions = {
  /** The policy compiled for the supergraph currently served. */
  policy: () => CompiledPolicy;
  introspection: IntrospectionPolicy;
  logger: Logger;
  onDenial?: DenialListener;
};

const PRINTED_CACHE_SIZE = 1000;

const auditUnavailable = () =>
  meshError('AUDIT_UNAVAILABLE', 'The audit log cannot take the record of this request now; try again later', { http: { status: ERROR_CODES.AUDIT_UNAVAILABLE.status } });

export function useAuthorization(options: AuthorizationOptions): ExecutionStage {
  // Printing and hashing a rewritten operation costs more than deciding it: reuse them per shape.
  const printed = new Map<string, { source: string; queryHash: string }>();
  const printedFor = (requestContext: GatewayGraphQLRequestContext, plan: AuthorizationPlan) => {
    const shape = `${requestContext.queryHash}|${requestContext.operationName ?? ''}|${plan.signature}`;
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
    let plan: AuthorizationPlan;
    try {
      // A span for the decision (tracing on): whether it removed or changed anything, never which data.
      plan = await inSpan('meshgate.authorize', {}, async (span) => {
        const decided = await authorizeOperation({
          schema: requestContext.schema,
          policy: options.policy(),
          document: requestContext.document,
          operationName: requestContext.operationName,
          variables: coercedVariablesOf(requestContext),
          context,
          introspection: options.introspection,
          onRuleError,
        });
        span?.setAttribute('meshgate.authorize.changed', decided.changed);
        return decided;
      });
    } catch (error) {
      if (error instanceof MissingRootTypeError) return { errors: [new GraphQLError(error.message, { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } })] };
      throw error;
    }
    if (!plan.changed) return next(requestContext);
    const { source, queryHash } = printedFor(requestContext, plan);
    const result = await next({ ...requestContext, document: plan.document, source, queryHash });
    const denied = await completeResponse(result as never, plan, context, onRuleError);
    const waits: Promise<'recorded' | 'refused'>[] = [];
    for (const denial of denied) {
      const recording = options.onDenial?.(denial, requestContext as GatewayGraphQLRequestContext<MeshContext>);
      if (recording) waits.push(recording);
    }
    if (waits.length && (await Promise.all(waits)).includes('refused')) return { errors: [auditUnavailable()] };
    return result;
  };
}
