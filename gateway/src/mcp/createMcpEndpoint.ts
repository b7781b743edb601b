/**
 * The assistant endpoint, assembled: the /mcp routes with their tools
 * (official operations, catalog, sandbox) and resources, over the gateway's
 * request pipeline. docs/mcp.md describes it for users.
 *
 *   const mcp = createMcpEndpoint({ config, logger, audit, runner, schema, policy, catalog, officialOperations, createContext, introspection });
 *   routes.push(...mcp.routes);
 *
 * Guarantees: every tool call runs through `runner` (the /graphql pipeline)
 * as its caller, with the body limit of the caller's role and at most
 * server.bodyLimitBytes; tool names of the official operations never shadow
 * the catalog's or the sandbox's. Must never: run an operation by another path.
 */
import type { IncomingMessage } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import type { AuditLog } from '../audit/AuditLog';
import type { IntrospectionPolicy } from '../authorization/authorizeOperation';
import type { CompiledPolicy } from '../authorization/compilePolicy';
import type { Catalog } from '../catalog/Catalog';
import type { GatewayConfig } from '../config';
import type { MeshContext } from '../context';
import type { GraphQLRunner } from '../http/runGraphQL';
import type { TurnTaker } from '../http/takeTurns';
import type { Route } from '../http/server';
import type { Principal } from '../identity/principal';
import { maxBodyBytesFor } from '../limits/useOperationLimits';
import type { Logger } from '../logger';
import type { RequestMetrics } from '../metrics/requestMetrics';
import type { OfficialOperation } from '../operations/officialOperations';
import { validateOperation } from '../validation/validateOperation';
import { CATALOG_TOOLS, catalogTools } from './catalogTools';
import { mcpRoutes } from './mcpRoute';
import { operationTools } from './operationTools';
import { operationRunner } from './runOperation';
import { isSandboxPrincipal } from './sandbox';
import { SANDBOX_TOOLS, sandboxTools } from './sandboxTools';

export type McpOptions = {
  config: GatewayConfig;
  logger: Logger;
  audit: AuditLog;
  /** The /graphql pipeline (http/runGraphQL.ts). */
  runner: GraphQLRunner;
  /** The API schema served now (undefined before the first load). */
  schema(): GraphQLSchema | undefined;
  /** The compiled policy; absent when authorization is off. */
  policy?: () => CompiledPolicy;
  catalog?: Catalog;
  officialOperations: readonly OfficialOperation[];
  /** Identifies as /graphql does and audits rejected credentials. */
  createContext(req: IncomingMessage): Promise<MeshContext>;
  introspection: IntrospectionPolicy;
  /** Counts each operation a tool runs, as /graphql requests are counted (transport mcp). */
  requestMetrics?: RequestMetrics;
  /** The gateway's turns for large bodies, shared with /graphql. */
  largeBodies: TurnTaker;
};

export type McpRuntime = { routes: Route[] };

export function createMcpEndpoint(options: McpOptions): McpRuntime {
  const { config, logger } = options;
  const bodyLimitFor = (principal: Principal) => Math.min(config.server.bodyLimitBytes, maxBodyBytesFor(config.limits, principal));
  const builtIn = options.catalog ? catalogTools() : [];
  const reserved = [...CATALOG_TOOLS, ...SANDBOX_TOOLS];
  const routes = mcpRoutes({
    services: {
      logger,
      audit: options.audit,
      run: operationRunner(options.runner, bodyLimitFor, options.requestMetrics),
      schema: options.schema,
      policy: () => options.policy?.(),
      catalog: options.catalog,
      maxResultBytes: config.mcp.maxResultBytes,
      tools: [...operationTools(options.officialOperations, reserved, logger), ...builtIn],
      sandboxTools: sandboxTools({ limits: config.limits, validate: validateOperation({ mode: config.mode, introspection: options.introspection }) }),
      isSandbox: (principal) => isSandboxPrincipal(principal, config.operations),
      version: '0.1.0',
    },
    createContext: options.createContext,
    audit: options.audit,
    bodyLimitFor,
    cors: config.server.cors,
    largeBodies: options.largeBodies,
    propagation: config.tracing.propagation,
  });
  return { routes };
}
