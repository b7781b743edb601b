/**
 * The sandbox tools, offered to sandbox principals only (sandbox.ts):
 * `validate_query` checks an ad-hoc query without running it (syntax at the
 * caller's token limit, the caller's operation limits, validation against the
 * API schema, and which fields the policy would withhold); `execute_query`
 * runs it through the request pipeline as the caller, under the caller's
 * limits, like a POST to /graphql.
 *
 * Validation uses the Receive stage's own checks (limits/useOperationLimits.ts,
 * validation/validateOperation.ts), so its verdict is the pipeline's. The
 * server (mcpServer.ts) refuses both tools, audited, to anyone else.
 */
import { getNamedType, isObjectType, Kind, parse, TypeInfo, visit, visitWithTypeInfo, type DocumentNode, type GraphQLError, type OperationDefinitionNode } from 'graphql';
import { limitsFor, type LimitsConfig } from '../limits/config';
import { operationLimitErrors } from '../limits/useOperationLimits';
import type { ValidateOperation } from '../validation/validateOperation';
import { paginationArgumentsOf } from './boundResult';
import { FieldAccessReader } from '../authorization/fieldAccess';
import { operationResult, text } from './toolResult';
import type { McpTool, ToolEnv } from './tools';

export const VALIDATE_TOOL = 'validate_query';
export const EXECUTE_TOOL = 'execute_query';
export const SANDBOX_TOOLS = [VALIDATE_TOOL, EXECUTE_TOOL];

const INPUT = {
  type: 'object',
  properties: {
    query: { type: 'string', description: 'A GraphQL document (one operation, or several with operationName)' },
    operationName: { type: 'string', description: 'Which operation of the document to run, when it has several' },
    variables: { type: 'object', description: "The operation's variables", additionalProperties: true },
  },
  required: ['query'],
  additionalProperties: false,
} as const;

type AdHoc = { query: string; operationName?: string; variables?: Record<string, unknown> };

const errorView = (error: GraphQLError) => ({ message: error.message, ...(error.extensions?.code ? { code: error.extensions.code } : {}), ...(error.extensions?.limit ? { limit: error.extensions.limit } : {}) });

function operationIn(document: DocumentNode, name?: string) {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  return name ? operations.find((operation) => operation.name?.value === name) : operations[0];
}

/** Every field the document selects that the policy would withhold, or decide per row. */
async function accessReport(document: DocumentNode, env: ToolEnv) {
  const coordinates = new Set<string>();
  const typeInfo = new TypeInfo(env.schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (!node.name.value.startsWith('__') && parent && isObjectType(getNamedType(parent))) coordinates.add(`${parent.name}.${node.name.value}`);
      },
    }),
  );
  const reader = new FieldAccessReader(env.schema, env.policy(), env.context);
  const withheld: { field: string; rule: string; reason: string }[] = [];
  const perRow: { field: string; rules: string[] }[] = [];
  for (const coordinate of coordinates) {
    const [typeName, fieldName] = coordinate.split('.');
    const access = await reader.of(typeName, fieldName);
    if (access.readable === 'no') withheld.push({ field: coordinate, rule: access.rule, reason: access.reason });
    if (access.readable === 'per-row') perRow.push({ field: coordinate, rules: access.rules });
  }
  return { withheld, perRow };
}

export function sandboxTools(options: { limits: LimitsConfig; validate: ValidateOperation }): McpTool[] {
  const validateTool: McpTool = {
    definitionFor: () => ({
      name: VALIDATE_TOOL,
      title: 'Validate an ad-hoc query',
      description:
        'Checks a GraphQL query without running it: syntax, your operation limits (depth, cost, aliases...), validation against the schema, ' +
        'and which fields the access policy would withhold from you (with the rule and reason). Use it before execute_query.',
      inputSchema: INPUT as never,
      annotations: { title: 'Validate an ad-hoc query', readOnlyHint: true, openWorldHint: false },
    }),
    async call(args, env) {
      const { query, operationName, variables } = args as AdHoc;
      const { principal } = env.context;
      let document: DocumentNode;
      try {
        document = parse(query, { maxTokens: limitsFor(options.limits, principal).maxTokens });
      } catch (error) {
        const report = { valid: false, errors: [{ message: (error as Error).message, code: 'GRAPHQL_PARSE_FAILED' }] };
        return { result: { content: [text(JSON.stringify(report))] }, outcome: 'invalid: does not parse', operationName: operationName ?? null };
      }
      let errors = operationLimitErrors(options.limits, principal, { document, schema: env.schema, variables, operationName });
      if (!errors.length) errors = options.validate({ document, schema: env.schema, principal });
      const name = operationIn(document, operationName)?.name?.value ?? operationName ?? null;
      if (errors.length) {
        const report = { valid: false, errors: errors.map(errorView) };
        return { result: { content: [text(JSON.stringify(report))] }, outcome: `invalid: ${errors[0].message}`, operationName: name };
      }
      const { withheld, perRow } = await accessReport(document, env);
      const report = { valid: true, errors: [], wouldBeWithheld: withheld, decidedPerRow: perRow };
      return { result: { content: [text(JSON.stringify(report))] }, outcome: `valid${withheld.length ? `; ${withheld.length} fields would be withheld` : ''}`, operationName: name };
    },
  };
  const executeTool: McpTool = {
    definitionFor: () => ({
      name: EXECUTE_TOOL,
      title: 'Run an ad-hoc query',
      description:
        'Runs a GraphQL query against the mesh as you, under your sandbox limits and the access policy: withheld fields come back null and are listed with the rule and reason. ' +
        'Results are bounded in size: lists are cut and marked; use pagination arguments (first/after) for the rest.',
      inputSchema: INPUT as never,
      annotations: { title: 'Run an ad-hoc query', readOnlyHint: false, openWorldHint: false },
    }),
    async call(args, env) {
      const { query, operationName, variables } = args as AdHoc;
      let pagination: string[] = [];
      let name = operationName ?? null;
      try {
        const operation = operationIn(parse(query, { maxTokens: limitsFor(options.limits, env.context.principal).maxTokens }), operationName);
        pagination = paginationArgumentsOf((operation?.variableDefinitions ?? []).map((definition) => definition.variable.name.value));
        name = operation?.name?.value ?? name;
      } catch {
        // The pipeline answers a document that does not parse (or is over the token limit) with its own error.
      }
      const outcome = await env.run(env.context, EXECUTE_TOOL, { query, ...(operationName && { operationName }), ...(variables && { variables }) });
      return { ...operationResult(outcome, env.maxResultBytes, pagination), operationName: name, operationHash: outcome.operationHash };
    },
  };
  return [validateTool, executeTool];
}
