/**
 * The gateway's HTTP front door. Routes: `/graphql` (GraphQL over HTTP, GET and
 * POST), `/` (query page, when server.queryPage: on in development mode only
 * by default), `/health`, `/ready`, and the routes stages add
 * (`/metrics`, `/cache/invalidate`). Receive-stage duties live here:
 * the body size limit is enforced while reading, before any parsing, and bad
 * bodies become GraphQL-shaped 4xx answers.
 *
 * Every request gets an id (requestContext.ts: the client's acceptable
 * `x-request-id`, or a new UUID), echoed in the `x-request-id` response
 * header and written in its access-log line, its audit records and its
 * subgraph requests. Every refusal a route answers (403, or 401 for no
 * credentials) is told to `onRouteRefused` (the audit log) before the answer
 * goes out; so is a /graphql body over the principal's limit (413).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MeshContext } from '../context';
import { IdentityError, sendIdentityError } from '../identity/errors';
import type { Principal } from '../identity/principal';
import { wantsEventStream } from '../../../subgraphs/lib/sse';
import { HttpError, readBody, sendApolloResponse, sendGraphQLError } from '../../../subgraphs/lib/http';
import type { GatewayConfig } from '../config';
import type { MeshGateway } from '../execution/MeshGateway';
import type { Logger } from '../logger';
import { isDraining, sendHealth, sendReadiness } from './health';
import { serveQueryPage, type PickerRole, type QueryPageTab } from './queryPage';
import { signDevelopmentToken } from '../identity/devTokens';
import { PICKER_PRINCIPALS } from '../identity/developmentPrincipals';
import { createCompression } from './compression';
import { handleCors } from './cors';
import { REQUEST_ID_HEADER, requestIdOf } from './requestContext';
import { RouteRefused } from './requireCredentials';
import { newObservation, type RequestObservation } from '../metrics/requestObservation';
import type { RequestMetrics } from '../metrics/requestMetrics';
import { endRequestSpan, startRequestSpan } from '../telemetry/requestSpan';
import { recordChildSpan, traceIdsOf, withActiveSpan } from '../../../subgraphs/lib/telemetry/spans';
import { resolveHttpRequest, type OperationRequests } from '../operations/operationRequests';
import { LARGE_BODY_BYTES, type TurnTaker } from './takeTurns';
import type { GraphQLRunner } from './runGraphQL';

export type HttpServerOptions = {
  config: GatewayConfig;
  gateway: MeshGateway;
  logger: Logger;
  createContext(req: IncomingMessage): Promise<MeshContext>;
  /** The body limit for this principal (its role may allow less than server.bodyLimitBytes). */
  bodyLimitFor(principal: Principal): number;
  /** Runs a read request as its principal: the response shortcut, Apollo Server with the principal's token limit, the caching headers. */
  runGraphQL: GraphQLRunner;
  onRejectedCredentials(error: IdentityError, req: IncomingMessage): void;
  /** Official operations by id, and the refusal of ad-hoc queries for official-only roles (operations/operationRequests.ts). */
  operations?: OperationRequests;
  /** Serves a POST to /graphql that asks for an event stream (a subscription over graphql-sse), once identified and read within the body limit. */
  eventStream?(req: IncomingMessage, res: ServerResponse, body: Buffer, context: MeshContext): Promise<void>;
  /** The query page's ready-made tabs (the official operations). */
  queryPageTabs?: QueryPageTab[];
  /** Routes added by stages (metrics, cache invalidation), matched before the 404. */
  routes?: Route[];
  /** Told of every refusal (a route's 403 or 401, a body over the limit) before it is answered; the answer waits for what it returns. */
  onRefused?(refusal: Refusal): unknown;
  /** Counts every /graphql request when its answer is sent (metrics/requestMetrics.ts). */
  requestMetrics?: RequestMetrics;
  /** Where large bodies take turns (takeTurns.ts): the gateway's one, shared with /mcp. */
  largeBodies: TurnTaker;
};

/** A refusal at the front door, for the audit log. */
export type Refusal = {
  req: IncomingMessage;
  /** "POST /cache/invalidate" */
  route: string;
  error: HttpError;
  /** The refused principal's context, when the route identified it. */
  context?: MeshContext;
  kind: 'route-refused' | 'limit-exceeded';
  rule: string;
};

/** A route a stage adds; errors it throws are answered like the front door's (HttpError or 500). */
export type Route = { method: 'GET' | 'POST'; path: string; handle(req: IncomingMessage, res: ServerResponse): Promise<void> };

export const GRAPHQL_PATH = '/graphql';

const CLIENT_CLOSED_REQUEST = 499;

/**
 * The query page's role picker: development tokens for the README's principals, minted per page load with the
 * configured development secret. Only in development mode with a shared secret; never in production.
 */
function developmentTokensFor(config: GatewayConfig): (() => Promise<PickerRole[]>) | undefined {
  const jwt = config.identity.jwt;
  if (config.mode !== 'development' || !jwt?.secret) return undefined;
  const first = (value: string | string[]) => (Array.isArray(value) ? value[0] : value);
  return () =>
    Promise.all(
      PICKER_PRINCIPALS.map(async ({ label, principal }) => ({
        label,
        token: await signDevelopmentToken({ ...principal, secret: jwt.secret, issuer: first(jwt.issuer), audience: first(jwt.audience), ttlSec: 8 * 3600 }),
      })),
    );
}

export function createHttpServer(options: HttpServerOptions): Server {
  const { config, gateway, logger, largeBodies } = options;
  const handle = async (req: IncomingMessage, res: ServerResponse, observed?: RequestObservation) => {
    // Stopping: answer, then close the connection, so a kept-alive client reconnects through the load balancer (gracefulShutdown.ts).
    if (isDraining(gateway)) res.setHeader('connection', 'close');
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === GRAPHQL_PATH) {
      let context: MeshContext;
      const arrivedAt = Date.now() - (observed ? performance.now() - observed.startedAt : 0);
      try {
        context = await options.createContext(req);
      } catch (error) {
        if (!(error instanceof IdentityError)) throw error;
        req.resume();
        options.onRejectedCredentials(error, req);
        // Refused credentials are never trusted with the client's trace context.
        if (observed) {
          observed.span = startRequestSpan(req, undefined, requestIdOf(req), config.tracing.propagation, arrivedAt);
          observed.errorCodes.add(error.code);
        }
        return sendIdentityError(res, error);
      }
      // The request's span starts once its principal is known (whose traceparent is trusted depends on it), dated from its arrival.
      if (observed) {
        context.observed = observed;
        observed.span = startRequestSpan(req, context.principal, context.requestId, config.tracing.propagation, arrivedAt);
        recordChildSpan(observed.span, 'meshgate.identify', arrivedAt, Date.now(), { 'meshgate.principal.kind': context.principal.kind });
      }
      // Everything after identification runs in the request's span: Apollo Server's stages and the subgraph fetches are its children.
      return withActiveSpan(observed?.span, async () => {
        let body: Buffer;
        try {
          body = await readBody(req, Math.min(config.server.bodyLimitBytes, options.bodyLimitFor(context.principal)));
        } catch (error) {
          if (error instanceof HttpError && error.status === 413) await options.onRefused?.({ req, route: `${req.method} ${path}`, error, context, kind: 'limit-exceeded', rule: 'maxBodyBytes' });
          throw error;
        }
        // Large bodies are parsed one per turn of the event loop (takeTurns.ts): /health and small requests go between.
        if (body.length >= LARGE_BODY_BYTES) await largeBodies.take();
        // Persisted-operation lookup, before anything keys on the query text: an id becomes its official document, and an
        // ad-hoc query from a role that may run official operations only is refused (and audited) before it is parsed.
        // Event streams too: a subscription is an operation like any other.
        if (options.operations) body = await resolveHttpRequest(options.operations, req, body, context);
        // Subscriptions over server-sent events: one long response per subscription (subscriptions/sseTransport.ts).
        if (options.eventStream && wantsEventStream(req)) return options.eventStream(req, res, body, context);
        // The shortcut, Apollo Server's stages and the caching headers (runGraphQL.ts: the path MCP tool calls take too).
        return sendApolloResponse(res, await options.runGraphQL(req, body, context, { lookedUp: true }));
      });
    }
    const route = options.routes?.find((candidate) => candidate.path === path && (candidate.method === req.method || (candidate.method === 'GET' && req.method === 'HEAD')));
    if (route) {
      try {
        return await route.handle(req, res);
      } catch (error) {
        if (error instanceof HttpError && (error.status === 403 || error.status === 401)) {
          const context = error instanceof RouteRefused ? error.context : undefined;
          const rule = error instanceof RouteRefused ? error.rule : error.status === 401 ? 'credentials required' : error.code;
          await options.onRefused?.({ req, route: `${route.method} ${route.path}`, error, context, kind: 'route-refused', rule });
        }
        throw error;
      }
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path === '/health') return sendHealth(res, gateway);
      if (path === '/ready') return sendReadiness(res, gateway);
      if (path === '/favicon.ico') return void res.writeHead(204).end();
      if (config.server.queryPage && (await serveQueryPage(path, res, GRAPHQL_PATH, developmentTokensFor(config), options.queryPageTabs))) return;
    }
    throw new HttpError(404, 'NOT_FOUND', `No route for ${req.method} ${path}; GraphQL is served at ${GRAPHQL_PATH}`);
  };
  const compress = createCompression(config.server.compression);
  const server = createServer((req, res) => {
    const requestId = requestIdOf(req);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const started = performance.now();
    let observed = req.url?.split('?')[0] === GRAPHQL_PATH ? newObservation(started) : undefined;
    // A client that goes away before its answer is complete is still counted, and its span ended (status 499, as nginx logs it).
    res.once('close', () => {
      if (!observed || res.writableFinished) return;
      options.requestMetrics?.finish(observed, CLIENT_CLOSED_REQUEST);
      endRequestSpan(observed.span, CLIENT_CLOSED_REQUEST, observed.operation, observed.errorCodes);
      observed = undefined;
    });
    // One access-log line per request, with its id (and trace id): the line the other log lines and audit records of the request join on.
    res.once('finish', () => {
      if (observed) {
        options.requestMetrics?.finish(observed, res.statusCode);
        endRequestSpan(observed.span, res.statusCode, observed.operation, observed.errorCodes);
      }
      logger.info({ requestId, ...traceIdsOf(observed?.span), method: req.method, path: req.url?.split('?')[0], status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request');
      observed = undefined;
    });
    if (handleCors(req, res, config.server.cors)) return;
    if (compress) compress(req, res, () => answer(req, res, requestId, observed));
    else answer(req, res, requestId, observed);
  });
  const answer = (req: IncomingMessage, res: ServerResponse, requestId: string, observed?: RequestObservation) => {
    handle(req, res, observed).catch((error) => {
      observed?.errorCodes.add(error instanceof HttpError ? error.code : 'INTERNAL_SERVER_ERROR');
      if (error instanceof HttpError) return sendGraphQLError(res, error);
      logger.error({ err: error, url: req.url, requestId }, 'unexpected error while handling a request');
      if (!res.headersSent) sendGraphQLError(res, new HttpError(500, 'INTERNAL_SERVER_ERROR', 'Unexpected error'));
      else res.destroy();
    });
  };
  server.keepAliveTimeout = 65_000;
  return server;
}

export async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A deep accept queue: bursts of new connections wait instead of being reset (the kernel caps it at somaxconn).
    server.listen(port, host, 4096, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}
