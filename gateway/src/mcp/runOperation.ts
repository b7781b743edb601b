/**
 * Runs a tool's GraphQL operation through the gateway's request pipeline as
 * the calling principal (http/runGraphQL.ts: the same function /graphql
 * uses, so limits, authorization, caches and audit all apply) and reads the
 * answer back as data, denials and errors.
 *
 * Guarantees: each call gets a fresh per-request context (its own rule cache
 * and cache state, like a new HTTP request) carrying the tool's name, so
 * every denial or limit it meets is audited with the tool; the operation's
 * body is held to the principal's body limit like a /graphql body. A denied
 * field comes back as a Denial: its response path, the rule and the reason,
 * from the FORBIDDEN error's extensions. Each run is counted in the request
 * metrics as /graphql requests are (operation, status, error codes, latency,
 * data products), with transport `mcp`; its span is the /mcp request's
 * (mcpRoute.ts), active while it runs.
 * Must never: execute by any other path than the runner, or reuse one call's
 * context for another.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from '../../../subgraphs/lib/http';
import { activeSpan } from '../../../subgraphs/lib/telemetry/spans';
import type { MeshContext } from '../context';
import type { Principal } from '../identity/principal';
import type { GraphQLRunner } from '../http/runGraphQL';
import { errorCodeLabel, newObservation } from '../metrics/requestObservation';
import type { RequestMetrics } from '../metrics/requestMetrics';

export type GraphQLRequestBody = { query?: string; documentId?: string; operationName?: string; variables?: Record<string, unknown>; extensions?: Record<string, unknown> };

/** A field the policy withheld: where it would have been, the rule that denied it, and why. */
export type Denial = { path: string; rule: string; reason: string; message: string; occurrences?: number };

export type OperationError = { message: string; code?: string; path?: string; extensions?: Record<string, unknown> };

export type OperationOutcome = {
  status: number;
  data: unknown;
  denied: Denial[];
  errors: OperationError[];
  extensions?: Record<string, unknown>;
  /** SHA-256 of the document run, as the audit log hashes operations. */
  operationHash: string | null;
};

/** `gatewayDocument`: the document is the gateway's own (a catalog tool's), not the caller's: see http/runGraphQL.ts. */
export type RunOperation = (context: MeshContext, tool: string, request: GraphQLRequestBody, options?: { gatewayDocument?: boolean }) => Promise<OperationOutcome>;

export class BodyTooLargeError extends Error {}

type FormattedError = { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> };

const pathText = (path: (string | number)[] | undefined) => path?.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('').replace(/^\./, '');

/** What a request to /graphql looks like to the pipeline: a JSON POST asking for a GraphQL response. */
function graphqlRequest(): IncomingMessage {
  return { method: 'POST', url: '/graphql', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' } } as unknown as IncomingMessage;
}

export function operationRunner(runner: GraphQLRunner, bodyLimitFor: (principal: Principal) => number, requestMetrics?: RequestMetrics): RunOperation {
  return async (context, tool, request, options = {}) => {
    const body = Buffer.from(JSON.stringify(request));
    const limit = bodyLimitFor(context.principal);
    if (body.length > limit) throw new BodyTooLargeError(`the operation's request body of ${body.length} bytes exceeds the limit of ${limit} bytes for this principal`);
    // What the request metrics count, noted by the same plugin and fetch hooks as for /graphql.
    const observed = newObservation(performance.now(), 'mcp');
    const callContext: MeshContext = { ...context, tool, _shield: { cache: {} }, cache: {}, observed };
    const operationHash = request.query ? createHash('sha256').update(request.query).digest('hex') : null;
    // As the front door would answer: 500 unless the pipeline answered or refused.
    let status = 500;
    let text = '';
    try {
      const response = await runner(graphqlRequest(), body, callContext, options);
      if (response.body.kind === 'complete') text = response.body.string;
      else for await (const chunk of response.body.asyncIterator) text += chunk;
      status = response.status ?? 200;
    } catch (error) {
      if (!(error instanceof HttpError)) {
        observed.errorCodes.add('INTERNAL_SERVER_ERROR');
        throw error;
      }
      // A refusal before Apollo Server (an ad-hoc query for an official-only role, a bad id): the answer /graphql would give.
      status = error.status;
      observed.errorCodes.add(errorCodeLabel(error.code));
      return { status, data: null, denied: [], errors: [{ message: error.message, code: error.code }], operationHash };
    } finally {
      // Counted once the whole answer is read, as /graphql counts at its last byte.
      requestMetrics?.finish(observed, status);
      // The /mcp request's span says which tool ran which operation, and the error codes it met.
      activeSpan()?.setAttributes({
        'meshgate.mcp.tool': tool,
        ...(observed.operation && { 'graphql.operation.name': observed.operation }),
        ...(observed.errorCodes.size && { 'meshgate.error_codes': [...observed.errorCodes] }),
      });
    }
    const answer = JSON.parse(text) as { data?: unknown; errors?: FormattedError[]; extensions?: Record<string, unknown> };
    const denied: Denial[] = [];
    const errors: OperationError[] = [];
    for (const error of answer.errors ?? []) {
      const { code, rule, reason, count } = error.extensions ?? {};
      if (code === 'FORBIDDEN' && typeof rule === 'string') {
        denied.push({ path: pathText(error.path) ?? '(operation)', rule, reason: String(reason ?? ''), message: error.message, ...(typeof count === 'number' && { occurrences: count }) });
      } else {
        errors.push({ message: error.message, ...(typeof code === 'string' && { code }), ...(error.path && { path: pathText(error.path) }), ...(error.extensions && { extensions: error.extensions }) });
      }
    }
    return {
      status,
      data: answer.data ?? null,
      denied,
      errors,
      ...(answer.extensions && { extensions: answer.extensions }),
      operationHash,
    };
  };
}
