/**
 * Receive, for subscriptions (graphql-ws and graphql-sse carry the document
 * themselves, past Apollo Server): the same steps in the same order as for
 * a query over POST: parse up to the principal's token limit, the operation
 * limits of its role, then validation against the API schema in linear time.
 *
 * Guarantees: nothing is planned or opened for a document that fails a step;
 * limit errors are returned apart, for the audit log. Must never: parse
 * without the token limit, or validate before the limits.
 */
import { getOperationAST, GraphQLError, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { LimitsConfig } from '../limits/config';
import { limitsFor } from '../limits/config';
import { operationLimitErrors } from '../limits/useOperationLimits';
import type { Principal } from '../identity/principal';
import type { ValidateOperation } from '../validation/validateOperation';
import { meshError } from '../errors';

export type ReceivedSubscription = { document: DocumentNode } | { errors: GraphQLError[]; limitErrors?: GraphQLError[] };

export function receiveSubscription(
  options: { limits: LimitsConfig; validate: ValidateOperation },
  request: { principal: Principal; query: string; operationName?: string | null; variables: Record<string, unknown>; schema: GraphQLSchema },
): ReceivedSubscription {
  let document: DocumentNode;
  try {
    document = parse(request.query, { maxTokens: limitsFor(options.limits, request.principal).maxTokens });
  } catch (error) {
    return { errors: [new GraphQLError((error as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] };
  }
  const operation = getOperationAST(document, request.operationName ?? undefined);
  if (!operation) return { errors: [meshError('BAD_REQUEST', 'The document names no operation to run (give operationName when it holds several)')] };
  if (operation.operation !== 'subscription') {
    return { errors: [meshError('BAD_REQUEST', `Only subscriptions are served over this transport; send the ${operation.operation} by POST to /graphql`)] };
  }
  const limitErrors = operationLimitErrors(options.limits, request.principal, { document, schema: request.schema, variables: request.variables as never, operationName: request.operationName });
  if (limitErrors.length) return { errors: limitErrors, limitErrors };
  const errors = options.validate({ document, schema: request.schema, principal: request.principal });
  return errors.length ? { errors } : { document };
}
