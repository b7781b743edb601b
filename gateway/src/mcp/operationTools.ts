/**
 * One MCP tool per official operation (operations/<owner>/*.graphql, loaded
 * by operations/officialOperations.ts): named like the operation, described
 * by its description, owner and file, with an input schema generated from its
 * variable definitions against the API schema served now. A call runs the
 * operation by its id (`documentId`, as clients do) with the arguments as
 * variables, through the request pipeline as the caller.
 *
 * Guarantees: subscriptions are not offered (the gateway does not serve them
 * over HTTP); an operation whose variables the schema no longer types is left
 * out and logged, never offered with a wrong schema; a tool never sends
 * anything but its own operation's id.
 */
import { Kind, parse, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../logger';
import type { OfficialOperation } from '../operations/officialOperations';
import { paginationArgumentsOf } from './boundResult';
import { operationResult } from './toolResult';
import { toolNameOf, type McpTool } from './tools';
import { variablesJsonSchema } from './variablesSchema';

function describe(operation: OfficialOperation): string {
  const contact = operation.contact ? ` (${operation.contact})` : '';
  return `${operation.description}\n\nOfficial ${operation.type} ${operation.name}, owned by ${operation.owner}${contact}; meant for: ${operation.roles.join(', ')}. Source: operations/${operation.file}.`;
}

function operationTool(operation: OfficialOperation, logger: Logger): McpTool | undefined {
  const definition = parse(operation.document).definitions.find((node): node is OperationDefinitionNode => node.kind === Kind.OPERATION_DEFINITION && node.name?.value === operation.name);
  if (!definition) return undefined;
  const name = toolNameOf(operation.name);
  const pagination = paginationArgumentsOf((definition.variableDefinitions ?? []).map((variable) => variable.variable.name.value));
  const definitions = new WeakMap<GraphQLSchema, Tool | null>();
  return {
    definitionFor({ schema }) {
      let tool = definitions.get(schema);
      if (tool === undefined) {
        try {
          tool = {
            name,
            title: operation.name,
            description: describe(operation),
            inputSchema: variablesJsonSchema(schema, definition) as Tool['inputSchema'],
            annotations: { title: operation.name, readOnlyHint: operation.type === 'query', openWorldHint: false },
          };
        } catch (error) {
          logger.warn({ err: error, operation: operation.file }, 'an official operation does not fit the schema served; its MCP tool is not offered');
          tool = null;
        }
        definitions.set(schema, tool);
      }
      return tool;
    },
    async call(args, env) {
      // By id, as clients run official operations: the pipeline's persisted-operation lookup gives it its document.
      const outcome = await env.run(env.context, name, { documentId: operation.id, variables: args });
      return { ...operationResult(outcome, env.maxResultBytes, pagination), operationName: operation.name, operationHash: operation.id };
    },
  };
}

/** The tools of the official queries and mutations; `reserved` names (the catalog and sandbox tools) win a clash. */
export function operationTools(operations: readonly OfficialOperation[], reserved: readonly string[], logger: Logger): McpTool[] {
  return operations.flatMap((operation) => {
    if (operation.type === 'subscription') return [];
    if (reserved.includes(toolNameOf(operation.name))) {
      logger.warn({ operation: operation.file }, `the official operation ${operation.name} has the name of a built-in MCP tool; its tool is not offered`);
      return [];
    }
    const tool = operationTool(operation, logger);
    return tool ? [tool] : [];
  });
}
