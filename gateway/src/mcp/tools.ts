/**
 * What every MCP tool of the gateway is: its MCP definition, and a call that
 * does its work for the calling principal through `ToolEnv` (the request
 * pipeline, the API schema, the policy). The server (mcpServer.ts) lists
 * them, routes calls to them and audits every call; a tool never audits or
 * authorizes by itself, and never reaches data except through `env.run`.
 */
import type { GraphQLSchema } from 'graphql';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { CompiledPolicy } from '../authorization/compilePolicy';
import type { MeshContext } from '../context';
import type { RunOperation } from './runOperation';
import type { ToolAnswer } from './toolResult';

export type ToolEnv = {
  /** The caller's context (principal, request id, client), as /mcp identified it. */
  context: MeshContext;
  /** Runs a GraphQL operation through the request pipeline as the caller, audited with the tool's name. */
  run: RunOperation;
  /** The API schema being served now. */
  schema: GraphQLSchema;
  /** The policy the authorization stage enforces now; undefined when authorization is off. */
  policy(): CompiledPolicy | undefined;
  maxResultBytes: number;
};

export type ToolCallAnswer = ToolAnswer & { operationName?: string | null; operationHash?: string | null };

export type McpTool = {
  /** Its definition against the schema served now (input schemas are generated from it); null when it does not fit it. */
  definitionFor(env: Pick<ToolEnv, 'schema'>): Tool | null;
  call(args: Record<string, unknown>, env: ToolEnv): Promise<ToolCallAnswer>;
};

/** What MCP allows in a tool name (letters, digits, `_`, `-`, `.`; 1 to 64). */
export const toolNameOf = (name: string) => name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || '_';
