/**
 * The MCP server of one HTTP request at /mcp, for its principal: lists the
 * tools this principal is offered (one per official operation, the catalog
 * tools, and the sandbox tools for sandbox principals only), calls them, and
 * lists and reads the data products' descriptors (resources.ts).
 *
 * Guarantees:
 * - every tool call and every resource list or read is one `tool-call` audit
 *   record (principal, tool, operation name and hash, how it ended; `rule`
 *   when it was refused), and the answer waits for the record to be admitted;
 *   if the audit log refuses it (AUDIT_UNAVAILABLE), the result is withheld;
 * - a tool that is not offered to this principal (a sandbox tool for a
 *   production principal) is refused, audited, never run;
 * - a tool reaches data only through `run` (the request pipeline as the caller).
 * Must never: keep state between HTTP requests (the endpoint is stateless), or
 * answer a call for a principal other than the request's.
 */
import type { GraphQLSchema } from 'graphql';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  ErrorCode,
  ListResourcesRequestSchema,
  ListToolsRequestSchema,
  McpError,
  ReadResourceRequestSchema,
  type CallToolResult,
} from '@modelcontextprotocol/sdk/types.js';
import type { AuditLog } from '../audit/AuditLog';
import type { CompiledPolicy } from '../authorization/compilePolicy';
import type { Catalog } from '../catalog/Catalog';
import type { MeshContext } from '../context';
import type { Principal } from '../identity/principal';
import type { Logger } from '../logger';
import { listResources, LIST_RESOURCES, readResource, READ_RESOURCE } from './resources';
import { BodyTooLargeError, type RunOperation } from './runOperation';
import { SANDBOX_TOOLS } from './sandboxTools';
import { refusal } from './toolResult';
import type { McpTool, ToolCallAnswer, ToolEnv } from './tools';
import { MCP_ROUTE } from './mcpRoute';

export type McpServices = {
  logger: Logger;
  audit: AuditLog;
  run: RunOperation;
  /** The API schema served now; undefined before the first supergraph load. */
  schema(): GraphQLSchema | undefined;
  policy(): CompiledPolicy | undefined;
  catalog?: Catalog;
  maxResultBytes: number;
  /** Tools every principal is offered (official operations, catalog), and the sandbox ones. */
  tools: McpTool[];
  sandboxTools: McpTool[];
  isSandbox(principal: Principal): boolean;
  version: string;
};

type Audited = Pick<ToolCallAnswer, 'outcome' | 'operationName' | 'operationHash'> & { rule?: string };

const INSTRUCTIONS =
  "meshgate serves the company's data mesh: each domain's data product, governed by one access policy. " +
  'Find products with search_data_products and describe_data_product (owner, SLA, freshness, quality, which fields you may read), ' +
  'then call the official operations (one tool each). Fields the policy withholds come back null and are listed with the rule and reason: explain them to the user. ' +
  'Results are bounded in size; a `truncated` marker says what was cut and which pagination arguments fetch the rest.';

export function createMcpServer(services: McpServices, context: MeshContext): Server {
  const { audit, logger } = services;
  const sandbox = services.isSandbox(context.principal);
  const offered = [...services.tools, ...(sandbox ? services.sandboxTools : [])];
  const server = new Server(
    { name: 'meshgate', version: services.version },
    { capabilities: { tools: { listChanged: false }, ...(services.catalog && { resources: { listChanged: false } }) }, instructions: INSTRUCTIONS },
  );

  const envNow = (): ToolEnv => {
    const schema = services.schema();
    if (!schema) throw new McpError(ErrorCode.InternalError, 'The gateway has not loaded its supergraph yet; try again shortly');
    return { context, run: services.run, schema, policy: services.policy, maxResultBytes: services.maxResultBytes };
  };

  /** One tool-call record; resolves false when the audit log refused it (the answer must then be withheld). */
  const record = async (tool: string, audited: Audited): Promise<boolean> => {
    const { principal, requestId, client } = context;
    const admitted = await audit.record({
      kind: 'tool-call',
      principal: { id: principal.id, kind: principal.kind, email: principal.email },
      operationName: audited.operationName ?? null,
      operationHash: audited.operationHash ?? null,
      path: null,
      rule: audited.rule ?? null,
      reason: audited.outcome,
      client,
      requestId,
      route: MCP_ROUTE,
      tool,
    });
    return admitted !== 'refused';
  };
  const unaudited = () => new McpError(ErrorCode.InternalError, 'AUDIT_UNAVAILABLE: the audit log cannot take the record of this call now, so its result is withheld; try again shortly');

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const env = envNow();
    return { tools: offered.flatMap((tool) => tool.definitionFor(env) ?? []) };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<CallToolResult> => {
    const { name } = request.params;
    const args = (request.params.arguments ?? {}) as Record<string, unknown>;
    const env = envNow();
    const tool = offered.find((candidate) => candidate.definitionFor(env)?.name === name);
    let answer: ToolCallAnswer & { rule?: string };
    if (!tool) {
      const sandboxOnly = SANDBOX_TOOLS.includes(name);
      const message = sandboxOnly
        ? `${name} is offered to sandbox principals only (analysts, product owners); you may run the official operations (one tool each) and the catalog tools`
        : `There is no tool ${name}; list the tools to see those offered to you`;
      answer = { result: refusal(message), outcome: `refused: ${message}`, rule: sandboxOnly ? 'sandbox principals only' : 'unknown tool' };
    } else {
      try {
        answer = await tool.call(args, env);
      } catch (error) {
        if (error instanceof BodyTooLargeError) answer = { result: refusal(error.message), outcome: `refused: ${error.message}`, rule: 'maxBodyBytes' };
        else {
          logger.error({ err: error, tool: name, requestId: context.requestId }, 'an MCP tool call failed');
          answer = { result: refusal('The tool failed unexpectedly; the gateway logged the error'), outcome: 'failed: unexpected error' };
        }
      }
    }
    if (!(await record(name, answer))) throw unaudited();
    return answer.result;
  });

  const catalog = services.catalog;
  if (catalog) {
    server.setRequestHandler(ListResourcesRequestSchema, async () => {
      const { resources, outcome } = await listResources(envNow());
      const failed = outcome.errors[0]?.message ?? outcome.denied[0]?.message;
      if (!(await record(LIST_RESOURCES, { outcome: failed ? `answered with problems: ${failed}` : `answered: ${resources.length} descriptors`, operationName: 'McpListDataProducts', operationHash: outcome.operationHash })))
        throw unaudited();
      return { resources };
    });
    server.setRequestHandler(ReadResourceRequestSchema, async (request) => {
      const { uri } = request.params;
      const { result, outcome, refused } = await readResource(uri, envNow(), catalog);
      if (!(await record(READ_RESOURCE, { outcome: refused ? `refused: ${uri}: ${refused}` : `answered: ${uri}`, operationName: 'McpDataProductVisible', operationHash: outcome.operationHash, ...(refused && { rule: outcome.denied[0]?.rule ?? 'not found' }) })))
        throw unaudited();
      // -32002: the MCP specification's "resource not found".
      if (!result) throw new McpError(-32002, `Resource not found: ${uri} (${refused})`);
      return result;
    });
  }
  return server;
}
