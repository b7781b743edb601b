/**
 * Serves one domain's subgraph over HTTP: POST/GET /graphql for the gateway,
 * GET /health for orchestrators and the gateway's /ready (503 with the reason
 * when its database does not answer; health.ts). Each request gets a fresh loader set, so
 * batching happens within a request and nothing is memoized across principals.
 *
 * With the gateway's public keys, /graphql accepts only POST requests the gateway
 * signed for this subgraph, once each (see signing.ts); anything else gets HTTP
 * 401 naming the reason, before the body is parsed or any resolver runs, and the
 * verified principal is on the context for row-level filtering. /health stays open.
 *
 * Ordinary GraphQL requests (nearly all of the gateway's) are executed directly
 * with graphql-js (directExecution.ts), answering exactly as Apollo Server
 * would; Apollo Server answers everything else.
 *
 * Subscriptions come as a signed POST with `Accept: text/event-stream` and
 * are answered as an event stream (graphql-sse's protocol, distinct connections; subscriptionServer.ts):
 * one long request per subscription, verified once when it starts, that
 * holds no admission slot (it waits for events, not for a resolver).
 *
 * A subgraph with a data-product descriptor also serves GET /dataproduct/status
 * and POST /dataproduct/quality/run (dataProduct.ts), signed the same way.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { Db } from './db';
import { AdmissionGate, type AdmissionOptions } from './admission';
import { DataProduct, isDataProductPath, serveDataProduct, type DataProductOptions } from './dataProduct';
import { DirectExecution } from './directExecution';
import { DatabaseHealth, sendSubgraphHealth, type HealthOptions } from './health';
import { executeApolloRequest, HttpError, parseJsonBody, readBody, sendApolloResponse, sendGraphQLError, sendJson } from './http';
import { SignedRequestVerifier, type SignedPrincipal } from './signing';
import { wantsEventStream } from './sse';
import { serveSubscription } from './subscriptionServer';
import type { SubgraphContext, SubgraphDefinition } from './subgraph';
import { silentLogger, type Logger } from './logger';
import { traceRootFields } from './telemetry/resolverSpans';
import { markFailed, remoteParentOf, ROOT, SpanKind, startSpan, traceIdsOf, tracingActive, withActiveSpan } from './telemetry/spans';

export type RunningSubgraph = {
  name: string;
  url: string;
  port: number;
  /** The data product it serves; null when the domain has no valid dataproduct.yaml. */
  dataProduct: DataProduct | null;
  stop(): Promise<void>;
};

export type SubgraphServerOptions = {
  host?: string;
  port?: number;
  bodyLimitBytes?: number;
  /**
   * Sees every GraphQL request body the subgraph accepts, with the verified principal;
   * tests use it to prove what was (not) fetched, and for whom.
   */
  onRequest?: (body: { query?: string; variables?: Record<string, unknown> }, request: { principal?: SignedPrincipal; headers: IncomingHttpHeaders }) => void;
  /**
   * The gateway public keys (PEM or JWK texts; two during a rotation). When set, every /graphql and
   * data-product request must be signed by the gateway for this subgraph (HTTP 401 otherwise).
   */
  gatewayPublicKeys?: readonly string[];
  /** How far the gateway's clock and this one may disagree; 5 s by default. */
  maxSignatureSkewSec?: number;
  /** The data product's descriptor and quality schedule (no schedule unless asked); `false` serves no data-product endpoints. */
  dataProduct?: DataProductOptions | false;
  /** How many GraphQL operations execute at once (4 by default) and how long others may wait (admission.ts). */
  admission?: Partial<AdmissionOptions>;
  /** How long /health gives the database to answer `SELECT 1`, and how long a result is reused (health.ts). */
  health?: HealthOptions;
  /** pino: one access-log line per request, with the gateway's x-request-id; nothing is written without one. */
  logger?: Logger;
};

/** The x-request-id the gateway sent, when it has the gateway's shape (1 to 128 of A-Z a-z 0-9 . _ : -). */
const requestIdOf = (value: string | string[] | undefined) => (typeof value === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(value) ? value : undefined);

const DEFAULT_MAX_CONCURRENT_OPERATIONS = 4;

/** A fresh executable schema of the domain: Apollo Server and the direct execution each change their own in place. */
function subgraphSchema<TLoaders>(definition: SubgraphDefinition<TLoaders>) {
  // With tracing on, each root field (each _entities batch included) is a span (telemetry/resolverSpans.ts).
  return traceRootFields(buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: definition.resolvers as never }]), definition.name);
}

export function createSubgraphApollo<TLoaders>(definition: SubgraphDefinition<TLoaders>) {
  return new ApolloServer<SubgraphContext<TLoaders>>({
    schema: subgraphSchema(definition),
    // The process owns SIGTERM/SIGINT and stops in order; Apollo's own handler would stop this server first.
    stopOnTerminationSignals: false,
    // Subgraphs are only reached through the gateway, which owns the public error policy.
    includeStacktraceInErrorResponses: false,
    csrfPrevention: false,
    // Federated traces cost time on every request and are only read by Apollo's hosted reporting, which we keep off.
    // Every answer carries its Cache-Control header, computed from the schema's @cacheControl hints; the gateway's caches follow it.
    plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControl({ calculateHttpHeaders: true })],
  });
}

export async function startSubgraphServer<TLoaders>(
  definition: SubgraphDefinition<TLoaders>,
  db: Db,
  options: SubgraphServerOptions = {},
): Promise<RunningSubgraph> {
  const apollo = createSubgraphApollo(definition);
  await apollo.start();
  const direct = new DirectExecution<SubgraphContext<TLoaders>>(subgraphSchema(definition));
  const bodyLimit = options.bodyLimitBytes ?? 20 * 1024 * 1024;
  const admission = new AdmissionGate({ limit: DEFAULT_MAX_CONCURRENT_OPERATIONS, ...options.admission });
  const dataProduct = options.dataProduct === false ? null : DataProduct.forSubgraph(definition, db, options.dataProduct);
  // One per process: it remembers the nonces this subgraph has accepted, for /graphql and the data-product routes alike.
  const verifier = options.gatewayPublicKeys
    ? new SignedRequestVerifier({ audience: definition.name, publicKeys: options.gatewayPublicKeys, maxSkewSec: options.maxSignatureSkewSec })
    : undefined;
  const health = new DatabaseHealth(db, options.health);
  // Subscriptions: each event is resolved with the context of its subscription (loaders for the references it returns).
  const subscriptionSchema = subgraphSchema(definition);
  const logger = options.logger ?? silentLogger(definition.name);
  const httpServer: Server = createServer(async (req, res) => {
    const started = performance.now();
    const requestId = requestIdOf(req.headers['x-request-id']);
    let span: ReturnType<typeof startSpan>;
    // One access-log line per request, with the gateway's request id (and the trace id while tracing is on).
    res.once('finish', () => {
      span?.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) markFailed(span, `HTTP ${res.statusCode}`);
      span?.end();
      logger.info({ requestId, ...traceIdsOf(span), method: req.method, path: req.url?.split('?')[0], status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request');
    });
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/health') return await sendSubgraphHealth(res, definition.name, health);
      if (dataProduct && isDataProductPath(path)) return await serveDataProduct(dataProduct, req, res, path, { verifier });
      if (path !== '/graphql' && path !== '/') return sendJson(res, 404, { error: `No route ${path}` });
      const body = await readBody(req, bodyLimit);
      let principal: SignedPrincipal | undefined;
      if (verifier) {
        const verdict = verifier.verify({ headers: req.headers, body });
        if (!verdict.ok) {
          throw new HttpError(401, 'UNAUTHENTICATED', `Subgraph "${definition.name}" accepts only requests signed by the gateway: ${verdict.message}`);
        }
        // The signature covers the body, not the URL: a GET could carry any query under a captured signature.
        if (req.method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `Subgraph "${definition.name}" accepts signed requests by POST only`);
        principal = verdict.principal;
      }
      if (wantsEventStream(req)) {
        const parsed = parseJsonBody(body, req.headers['content-type']);
        if (options.onRequest && parsed !== undefined) options.onRequest(parsed as Parameters<typeof options.onRequest>[0], { principal, headers: req.headers });
        return await serveSubscription(subscriptionSchema, req, res, parsed, { db, loaders: definition.createLoaders(db), principal }, () => definition.createLoaders(db));
      }
      // The request's span continues the gateway's trace (its fetch span's traceparent) once the gateway's signature is verified
      // (or when this subgraph runs unsigned, trusting every caller anyway); anything refused above never joins a trace.
      span = tracingActive() ? startSpan('meshgate.subgraph.request', {
        kind: SpanKind.SERVER,
        parent: verifier && !principal ? ROOT : remoteParentOf(req.headers).context,
        attributes: () => ({ 'meshgate.subgraph': definition.name, 'http.request.method': req.method ?? 'POST', 'url.path': path, ...(requestId && { 'meshgate.request_id': requestId }) }),
      }) : undefined;
      await withActiveSpan(span, () => admission.run(async () => {
        // Parsed once, for the recording hook and the direct execution (malformed JSON is a 400 here).
        const parsed = parseJsonBody(body, req.headers['content-type']);
        if (options.onRequest && parsed !== undefined) options.onRequest(parsed as Parameters<typeof options.onRequest>[0], { principal, headers: req.headers });
        const context = () => ({ db, loaders: definition.createLoaders(db), principal });
        const answer = await direct.answer(req, parsed, context);
        if (answer) return await sendApolloResponse(res, answer);
        await executeApolloRequest(apollo, req, res, body, async () => context());
      }));
    } catch (error) {
      if (error instanceof HttpError) return sendGraphQLError(res, error);
      if (!res.headersSent) sendGraphQLError(res, new HttpError(500, 'INTERNAL_SERVER_ERROR', 'Unexpected error in subgraph'));
      else res.destroy();
    }
  });
  httpServer.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  return {
    name: definition.name,
    url: `http://${host}:${port}/graphql`,
    port,
    dataProduct,
    async stop() {
      dataProduct?.stop();
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
      await apollo.stop();
    },
  };
}
