/**
 * The `/mcp` routes: the Model Context Protocol over Streamable HTTP, in
 * stateless mode, on the gateway's own HTTP server (http/server.ts routes).
 *
 * Why stateless: every POST carries its credentials and is identified like a
 * /graphql request, so no session can outlive or outrank the credential that
 * made it, nothing is kept per client in a gateway (instances stay
 * interchangeable behind a load balancer, as the design requires), and a
 * tool list is always the one for the caller's rights now. The cost: no
 * server-initiated messages (GET streams are answered 405, as the transport
 * specification allows), which none of the tools need.
 *
 * Guarantees, before any MCP message is read:
 * - credentials are checked as /graphql checks them (the same identifier);
 *   bad ones get 401 (or 503 when the identity provider is down) and are
 *   audited as rejected credentials; no credentials at all is a 401, audited
 *   by the front door as a refused route (an assistant acts for someone);
 * - a request from a browser origin the gateway does not allow
 *   (server.cors.allowedOrigins) is refused 403 (the transport
 *   specification's DNS-rebinding defence);
 * - the body is read up to the principal's body limit; over it, 413, audited
 *   as a limit exceeded (maxBodyBytes), as on /graphql; a large one (16 KB
 *   and more) takes its turn with /graphql's before it is parsed (takeTurns.ts).
 * With tracing on, each POST has its span (`POST /mcp`, begun once the
 * principal is known, so only a trusted one continues its traceparent), and
 * the operations its tool calls run, and their subgraph fetches, are its children.
 * Answers are JSON (no event stream), so the front door's compression applies.
 *
 * The MCP SDK (its message schemas, the transport, ajv: about 4 MB of heap,
 * which V8 lets the old generation grow to several times over under load) is
 * loaded at the first POST, not at start: a gateway nobody asks over MCP
 * never carries it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError, readBody } from '../../../subgraphs/lib/http';
import type { AuditLog } from '../audit/AuditLog';
import type { MeshContext } from '../context';
import type { CorsConfig } from '../http/cors';
import { clientOf, requestIdOf } from '../http/requestContext';
import { requireCredentials } from '../http/requireCredentials';
import type { Route } from '../http/server';
import { LARGE_BODY_BYTES, type TurnTaker } from '../http/takeTurns';
import type { TracingConfig } from '../telemetry/config';
import { endRequestSpan, startRequestSpan } from '../telemetry/requestSpan';
import { withActiveSpan } from '../../../subgraphs/lib/telemetry/spans';
import type { Principal } from '../identity/principal';
import type { McpServices } from './mcpServer';

export const MCP_PATH = '/mcp';
export const MCP_ROUTE = `POST ${MCP_PATH}`;

type McpRuntime = {
  createMcpServer: typeof import('./mcpServer').createMcpServer;
  StreamableHTTPServerTransport: typeof import('@modelcontextprotocol/sdk/server/streamableHttp.js').StreamableHTTPServerTransport;
};
let runtime: McpRuntime | undefined;
/** The MCP server and its transport, required once, at the first request that needs them. */
function mcpRuntime(): McpRuntime {
  /* eslint-disable @typescript-eslint/no-require-imports */
  runtime ??= {
    createMcpServer: (require('./mcpServer') as typeof import('./mcpServer')).createMcpServer,
    StreamableHTTPServerTransport: (require('@modelcontextprotocol/sdk/server/streamableHttp.js') as typeof import('@modelcontextprotocol/sdk/server/streamableHttp.js')).StreamableHTTPServerTransport,
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return runtime;
}

export type McpRouteOptions = {
  services: McpServices;
  /** Identifies as /graphql does, auditing rejected credentials. */
  createContext(req: IncomingMessage): Promise<MeshContext>;
  audit: AuditLog;
  /** The largest body this principal may send (server.bodyLimitBytes and its role's maxBodyBytes). */
  bodyLimitFor(principal: Principal): number;
  cors: CorsConfig;
  /** The gateway's turns for large bodies, shared with /graphql. */
  largeBodies: TurnTaker;
  /** Whose traceparent is continued (tracing.propagation). */
  propagation: TracingConfig['propagation'];
};

async function readMcpBody(req: IncomingMessage, context: MeshContext, options: McpRouteOptions): Promise<unknown> {
  let body: Buffer;
  try {
    body = await readBody(req, options.bodyLimitFor(context.principal));
  } catch (error) {
    if (error instanceof HttpError && error.status === 413) {
      const { principal } = context;
      await options.audit.record({
        kind: 'limit-exceeded',
        principal: { id: principal.id, kind: principal.kind, email: principal.email },
        operationName: null,
        operationHash: null,
        path: null,
        rule: 'maxBodyBytes',
        reason: error.message,
        client: clientOf(req),
        requestId: requestIdOf(req),
        route: MCP_ROUTE,
      });
    }
    throw error;
  }
  // Parsed one per turn of the event loop when large, with /graphql's large bodies: small requests go between.
  if (body.length >= LARGE_BODY_BYTES) await options.largeBodies.take();
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HttpError(400, 'BAD_REQUEST', `The MCP request body is not valid JSON: ${(error as Error).message}`);
  }
}

export function mcpRoutes(options: McpRouteOptions): Route[] {
  const post = async (req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    if (origin !== undefined && !options.cors.allowedOrigins.includes(origin)) {
      req.resume();
      throw new HttpError(403, 'FORBIDDEN', `Requests to ${MCP_PATH} from the origin ${JSON.stringify(origin).slice(0, 120)} are not allowed (server.cors.allowedOrigins)`);
    }
    const arrivedAt = Date.now();
    const context = await requireCredentials(req, res, options.createContext, MCP_PATH);
    if (!context) return;
    const span = startRequestSpan(req, context.principal, context.requestId, options.propagation, arrivedAt, MCP_PATH);
    // Ended with the answer's status; a client that went away first is a 499, as on /graphql.
    res.once('close', () => endRequestSpan(span, res.writableFinished ? res.statusCode : 499, undefined, []));
    await withActiveSpan(span, async () => {
      const message = await readMcpBody(req, context, options);
      const { createMcpServer, StreamableHTTPServerTransport } = mcpRuntime();
      const server = createMcpServer(options.services, context);
      // Stateless: one transport and one server per request, closed with it.
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
      res.once('close', () => {
        void transport.close();
        void server.close();
      });
      await server.connect(transport);
      await transport.handleRequest(req, res, message);
    });
  };
  const notAllowed = async (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    res.writeHead(405, { allow: 'POST', 'content-type': 'application/json' }).end(
      JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: `${MCP_PATH} is stateless: POST each message; there is no event stream to open` }, id: null }),
    );
  };
  return [
    { method: 'POST', path: MCP_PATH, handle: post },
    { method: 'GET', path: MCP_PATH, handle: notAllowed },
  ];
}
