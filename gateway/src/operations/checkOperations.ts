/**
 * Checks the official operations against a supergraph, as the gateway will run
 * them: each must be valid against the API schema (graphql-js's full
 * validation), belong to a known owner, and pass the operation limits
 * (limits/) of every role meant to run it, measured with its variables'
 * defaults (a client that passes larger page sizes is measured again at run
 * time, like any request).
 *
 * Contract: never throws for a bad operation; every finding is data naming the
 * operation, its owner and its file. Only the command line
 * (schema/operationsCli.ts) prints it and turns errors into an exit code.
 */
import { parse, validate, type GraphQLSchema } from 'graphql';
import type { LimitsConfig } from '../limits/config';
import { operationLimitErrors } from '../limits/useOperationLimits';
import type { OfficialOperation } from './officialOperations';

export type OperationProblem = {
  operation: string;
  owner: string;
  file: string;
  code: 'invalid' | 'over-limit' | 'unknown-owner';
  message: string;
};

export type OperationsCheckOptions = {
  /** The API schema (what clients see) of the supergraph, with its @listSize sizes registered (limits/listSizeDirectives.ts). */
  schema: GraphQLSchema;
  limits: LimitsConfig;
  /** Known owners: the domains, besides "platform"; not checked when not given (the gateway, which serves whatever composes). */
  domains?: readonly string[];
};

export function checkOperations(operations: readonly OfficialOperation[], { schema, limits, domains }: OperationsCheckOptions): OperationProblem[] {
  const problems: OperationProblem[] = [];
  for (const operation of operations) {
    const found = (code: OperationProblem['code'], message: string) => problems.push({ operation: operation.name, owner: operation.owner, file: operation.file, code, message });
    if (domains && operation.owner !== 'platform' && !domains.includes(operation.owner)) found('unknown-owner', `owner "${operation.owner}" is neither a domain (${domains.join(', ')}) nor "platform"`);
    const document = parse(operation.document);
    const invalid = validate(schema, document);
    for (const error of invalid) found('invalid', error.message);
    // Limits measure valid operations only (their rules assume the fields exist).
    if (invalid.length) continue;
    for (const role of operation.roles) {
      for (const error of operationLimitErrors(limits, { roles: [role], kind: 'user' }, { document, schema, variables: {}, operationName: operation.name })) found('over-limit', error.message);
    }
  }
  return problems;
}

/**
 * At every supergraph load, the gateway logs each official operation the served graph (or its roles' limits) no
 * longer admits: its clients are failing, and the check (`npm run check`) should have caught it.
 */
export function warnAboutOfficialOperations(operations: readonly OfficialOperation[], limits: LimitsConfig, logger: { warn(details: object, message: string): void }) {
  return ({ apiSchema }: { apiSchema: GraphQLSchema }) => {
    for (const problem of checkOperations(operations, { schema: apiSchema, limits })) logger.warn({ ...problem }, `official operation ${problem.operation} (owner ${problem.owner}) fails against the served supergraph: ${problem.message}`);
  };
}

/** One line per problem: "operations/marketing/Revenue.graphql  Revenue (owner marketing): ..." */
export function formatOperationProblem(problem: OperationProblem, dir = 'operations'): string {
  return `${dir}/${problem.file}  ${problem.operation} (owner ${problem.owner}): ${problem.message}`;
}
