/**
 * Builds the gateway from a validated config: the stages in the order a
 * request meets them, and nothing else. Each stage is its own module; read
 * them top to bottom. What each guarantees:
 *
 * - Observe (metrics/, telemetry/): every /graphql request is counted per
 *   operation and error code (bounded labels) and, with tracing on, has a span
 *   whose parent only a trusted principal chooses.
 * - Audit (audit/): every denial, limit, refused credential, refused route and
 *   non-official operation is recorded before it is answered (the answer waits
 *   for room in the buffer, or is refused); stop() writes what is buffered.
 * - Receive (http/server.ts, operations/, limits/, validation/): ids and body
 *   limits before parsing; official operations by id, ad-hoc queries refused for
 *   official-only roles; the parser's token limit, the operation limits, then
 *   validation; repeated queries answered by the response shortcut.
 * - Identify (identity/, http/requestContext.ts): credentials become a principal
 *   before the body is read, on every route; bad ones are a 401, never anonymous.
 * - Execute (execution/): variables coerced, @defer split, deprecation warnings,
 *   authorization before planning and completion after, the response cache,
 *   then the plan's fetches through the entity cache.
 * - Beside /graphql: the catalog (catalog/), the assistant endpoint (mcp/: every
 *   tool call through the /graphql pipeline) and subscriptions (subscriptions/:
 *   the same receive, identify, authorize and audit steps, per event).
 * - Stop: /ready answers 503, subscriptions end, requests in flight drain, then
 *   the caches close, the audit log flushes and the spans still buffered export.
 */
import type { GraphQLSchema } from 'graphql';
import type { AuditLog } from './audit/AuditLog';
import { auditBackpressureMetric } from './audit/auditMetrics';
import { createAuditLog } from './audit/createAuditLog';
import { createAuditRecorders } from './audit/createAuditRecorders';
import { PolicyHolder, loadPolicySet } from './authorization/policySource';
import { useAuthorization } from './authorization/useAuthorization';
import { anyCacheLayer } from './cache/config';
import { createEntityCache } from './cache/entityCache';
import { invalidationRoute, useMutationInvalidation } from './cache/invalidation';
import { MeshCache } from './cache/MeshCache';
import { PiiClassification } from './cache/httpCacheHeaders';
import { createResponseShortcut } from './cache/responseShortcut';
import { useResponseCache } from './cache/useResponseCache';
import { startCatalog, type CatalogRuntime } from './catalog';
import { CATALOG_SUBGRAPH } from './catalog/catalogSchema';
import { useDeprecationWarnings } from './catalog/useDeprecationWarnings';
import type { GatewayConfig } from './config';
import { MeshGateway, type ExecutionStage } from './execution/MeshGateway';
import { useVariableCoercion } from './execution/useVariableCoercion';
import { useDefer } from './execution/defer/useDefer';
import { deferResponsePlugin } from './execution/defer/deferResponsePlugin';
import { officialOperationTabs } from './http/queryPage';
import { reportingRejections, requestContextFactory } from './http/requestContext';
import { GracefulShutdown } from './http/gracefulShutdown';
import { markDraining } from './http/health';
import { createHttpServer, GRAPHQL_PATH, listen } from './http/server';
import { TurnTaker } from './http/takeTurns';
import { createIdentifier } from './identity/identify';
import type { Principal } from './identity/principal';
import { maxBodyBytesFor, useOperationLimits } from './limits/useOperationLimits';
import { limitsFor, parseTimeMaxTokens } from './limits/config';
import { registerListSizes } from './limits/listSizeDirectives';
import { ParseTokenLimit } from './limits/parseTokenLimit';
import { rejectUnsupportedOperations } from './validation/rejectUnsupportedOperations';
import { validateOperation } from './validation/validateOperation';
import type { SubscriptionService } from './subscriptions/SubscriptionService';
import { createSubscriptions } from './subscriptions/createSubscriptions';
import { createLogger, type Logger } from './logger';
import { Metrics } from './metrics/Metrics';
import { metricsRoute } from './metrics/metricsRoute';
import { measureFetches } from './metrics/measureFetches';
import { createExecutionMetrics } from './metrics/executionMetrics';
import { createRequestMetrics } from './metrics/requestMetrics';
import { traceFetches } from './telemetry/traceFetches';
import { startTracing } from '../../subgraphs/lib/telemetry/tracing';
import { createApolloServer } from './plugins/createApolloServer';
import { maskUnexpectedErrors } from './plugins/maskUnexpectedErrors';
import { createMcpEndpoint } from './mcp';
import { graphqlRunner } from './http/runGraphQL';
import { loadOfficialOperations } from './operations/officialOperations';
import { createOperationRequests } from './operations/operationRequests';
import { warnAboutOfficialOperations } from './operations/checkOperations';
import type { LiveSupergraph } from './supergraph/LiveSupergraph';
import { registrationRoute } from './supergraph/registrationRoute';
import { supergraphOptions, type SupergraphExtras } from './supergraph/supergraphSource';

export type RunningGateway = {
  url: string;
  port: number;
  gateway: MeshGateway;
  /** The audit log; stop() closes it, writing everything buffered. */
  audit: AuditLog;
  /** Served at /metrics. */
  metrics: Metrics;
  /** The cache runtime, when any cache layer is on. */
  cache?: MeshCache;
  /** The live supergraph (compose and introspect modes): lifecycle, polling, registrations. */
  supergraph?: LiveSupergraph;
  /** Subscriptions over graphql-ws and graphql-sse, when enabled. */
  subscriptions?: SubscriptionService;
  /** The data-product catalog, when it runs. */
  catalog?: CatalogRuntime;
  stop(): Promise<void>;
};

export type GatewayOptions = Pick<SupergraphExtras, 'descriptorFor'>;

export async function startGateway(config: GatewayConfig, logger: Logger = createLogger(config.logging.level), options: GatewayOptions = {}): Promise<RunningGateway> {
  // @apollo/gateway sends telemetry to Apollo unless this is set; nothing leaves the machine unless configured.
  if (!config.apollo.telemetry) process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const metrics = new Metrics();
  // Traces over OTLP when tracing.endpoint is set; the SDK is not even loaded otherwise (telemetry/).
  const { endpoint, serviceName, sampleRatio } = config.tracing;
  const tracing = endpoint ? startTracing({ endpoint, serviceName, sampleRatio }, logger) : undefined;
  // Official operations (operations/<owner>/*.graphql), read first: a bad file stops the start, naming it.
  const officialOperations = config.operations.dir ? await loadOfficialOperations(config.operations.dir) : [];
  // Requests, errors by code and latency per operation (bounded names; the official ones only, if so configured) and per data product, on /metrics.
  const requestMetrics = createRequestMetrics(metrics, config.metrics, officialOperations.map((operation) => operation.name));
  const audit = createAuditLog(config.audit, logger, { onBackpressure: auditBackpressureMetric(metrics) });
  // What each stage's refusals become in the audit log (createAuditRecorders.ts); stages wait for what they return.
  const recorders = createAuditRecorders(audit);
  const introspection = config.authorization.introspection ?? (config.mode === 'development' ? 'always' : 'authenticated');

  // Execute stages, outermost first, around @apollo/gateway's query plans.
  // Coerce variables first: every later stage reads the coerced values (defaults applied), never the raw JSON.
  const stages: ExecutionStage[] = [useVariableCoercion()];
  // @defer: the primary operation and each deferred fragment take every later stage on their own (execution/defer/).
  const formatError = maskUnexpectedErrors(config.mode, logger);
  stages.push(useDefer({ formatError }));
  let policies: PolicyHolder | undefined;
  if (config.authorization.enabled) {
    policies = new PolicyHolder(await loadPolicySet(config.authorization.policies), logger);
    // Authorize before planning; complete (nulls, FORBIDDEN errors) after execution; audit every denial.
    stages.push(useAuthorization({ policy: policies.current, introspection, logger, onDenial: recorders.denial }));
  }
  // Data products: the catalog subgraph, served in-process and composed with the domains (not with a supergraph file).
  const catalog = config.catalog.enabled && config.supergraph.source !== 'file' ? await startCatalog({ config, logger, policy: policies?.current, officialOperations }) : undefined;
  // The supergraph, with the data-product lifecycle applied (draft, deprecated, retired) and, when polled, live.
  const { live, supergraphSdl } = await supergraphOptions(config, { logger, builtIn: catalog ? [catalog.subgraph.snapshot] : [], descriptorFor: options.descriptorFor });
  if (live) {
    catalog?.attach(live, metrics);
    // Outermost: warns about deprecated data products' fields in the operation as the client sent it.
    stages.unshift(useDeprecationWarnings(() => live.current.plan.deprecated));
  }
  // Cache lookup, inside authorization: keyed by the operation after authorization; results cached before completion.
  let cache: MeshCache | undefined;
  if (anyCacheLayer(config.cache)) {
    cache = new MeshCache({ config: config.cache, metrics, logger });
    await cache.start();
    stages.push(useMutationInvalidation(cache, logger), useResponseCache(cache));
  }
  // Receive, before Apollo Server: repeated queries answered from the response cache or a request in flight.
  const shortcut = cache && (cache.config.responseCache.enabled || cache.config.dedupe.enabled) ? createResponseShortcut(cache) : undefined;
  // A subgraph's data product: its descriptor's id (the subgraph's name when it has none, or with a supergraph file).
  const productOf = (subgraph: string) => live?.current.snapshots.find((snapshot) => snapshot.name === subgraph)?.descriptor?.id ?? subgraph;
  const executionMetrics = createExecutionMetrics(metrics);
  const gateway = new MeshGateway({
    supergraph: { supergraphSdl },
    subgraphRequests: config.subgraphRequests,
    exposeQueryPlans: config.mode === 'development',
    executor: config.execution.executor,
    preparedOperations: config.execution.preparedOperations,
    planRewrites: config.execution.planRewrites,
    onExecution: executionMetrics.onExecution,
    logger,
    stages,
    // Execute: every subgraph fetch goes through the entity cache and fetch deduplication.
    // Around each: its metrics and its span (the subgraph's spans are the span's children through traceparent).
    interceptFetch: measureFetches(metrics, productOf, traceFetches(productOf, cache && createEntityCache(cache))),
  });
  executionMetrics.watch(gateway);
  // Policies of products the lifecycle left out (and of the catalog when it does not run) have nothing to govern.
  const inactiveDomains = () => [...(live?.inactiveSubgraphs() ?? []), ...(catalog ? [] : [CATALOG_SUBGRAPH])];
  // PII classified in a descriptor (pii:) guards as @pii does; the descriptors are those the supergraph was composed with.
  const descriptorPii = () => (live?.current.snapshots ?? []).flatMap(({ name, descriptor }) => (descriptor ? [{ subgraph: name, pii: descriptor.pii }] : []));
  if (policies) gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => policies.update(apiSchema, coreSupergraphSdl, inactiveDomains(), descriptorPii()));
  if (catalog) gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => catalog.catalog.updateSchema(apiSchema, coreSupergraphSdl));
  // The API schema served now: the MCP tools' input schemas are generated from it.
  let apiSchemaNow: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => void (apiSchemaNow = apiSchema));
  if (cache) gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => cache.updateSupergraph(coreSupergraphSdl));
  if (shortcut) gateway.onSchemaLoadOrUpdate(() => shortcut.forget());
  // List sizes the graph declares (@listSize), for the cost limit.
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => registerListSizes(apiSchema, coreSupergraphSdl));
  // Official operations the served graph no longer admits are logged at every load (after the list sizes, which the cost limit reads).
  if (officialOperations.length) gateway.onSchemaLoadOrUpdate(warnAboutOfficialOperations(officialOperations, config.limits, logger));
  // Which fields are PII, for the HTTP caching headers: an anonymous answer that carries one is never public.
  const pii = new PiiClassification();
  gateway.onSchemaLoadOrUpdate(({ coreSupergraphSdl }) => pii.update(coreSupergraphSdl));

  // Receive: parse (Apollo Server) up to the principal's token limit, then the operation limits of its role, then validation.
  const parseTokenLimit = new ParseTokenLimit(parseTimeMaxTokens(config.limits));
  const apollo = createApolloServer({
    config,
    gateway,
    logger,
    introspection,
    formatError,
    parseTokenLimit,
    plugins: [
      // Every limit exceeded is an audit record (rule: the limit); the answer waits for room in the audit buffer.
      useOperationLimits(config.limits, { then: [rejectUnsupportedOperations, validateOperation({ mode: config.mode, introspection })], onRejected: recorders.limitExceeded }),
      pii.plugin(),
      deferResponsePlugin(),
      requestMetrics.plugin,
      ...(shortcut ? [shortcut.plugin] : []),
    ],
  });
  try {
    await apollo.start();
    policies?.current();
  } catch (error) {
    await apollo.stop().catch(() => undefined);
    await catalog?.stop();
    await cache?.close();
    await audit.close();
    await tracing?.stop();
    throw error;
  }

  // Identify: credentials become a principal before the body is read.
  const identify = createIdentifier(config.identity);
  const createContext = requestContextFactory(identify);
  // The operator routes identify as /graphql does, and their rejected credentials are audited the same way.
  const operatorContext = reportingRejections(createContext, recorders.rejectedCredentials);
  // Receive: official operations run by id; roles that may run official operations only are refused anything else.
  const operations = createOperationRequests({ operations: officialOperations, config: config.operations, onNotOfficial: recorders.notOfficial });
  const withTokenLimit = <T>(principal: Principal, run: () => Promise<T>) => parseTokenLimit.run(limitsFor(config.limits, principal).maxTokens, run);
  // /graphql's path once the principal is known and the body read; the assistant endpoint's tool calls take it too.
  const runGraphQL = graphqlRunner({ apollo, withTokenLimit, shortcut, operations });
  // Large bodies, of /graphql and /mcp alike, are parsed one per turn of the event loop (takeTurns.ts).
  const largeBodies = new TurnTaker();
  // The assistant endpoint (/mcp): every tool call runs through the /graphql pipeline (runGraphQL.ts) as its caller,
  // counted in the request metrics (transport mcp) and traced as /graphql requests are.
  const mcp = config.mcp.enabled
    ? createMcpEndpoint({ config, logger, audit, runner: runGraphQL, schema: () => apiSchemaNow, policy: policies?.current, catalog: catalog?.catalog, officialOperations, createContext: operatorContext, introspection, requestMetrics, largeBodies })
    : undefined;
  // Subscriptions (graphql-ws and graphql-sse on /graphql): the same receive, identify, authorize and audit steps as queries, per event.
  const subscriptions = config.subscriptions.enabled
    ? createSubscriptions({ config, gateway, policies, introspection, validate: validateOperation({ mode: config.mode, introspection }), operations, audit, metrics, logger, identify, onRejectedCredentials: recorders.rejectedCredentials })
    : undefined;
  const server = createHttpServer({
    eventStream: subscriptions?.eventStream,
    requestMetrics,
    largeBodies,
    config,
    gateway,
    logger,
    createContext,
    operations,
    runGraphQL,
    // The official operations (the README's dashboards among them) open as the query page's tabs.
    queryPageTabs: officialOperationTabs(officialOperations),
    routes: [
      metricsRoute(metrics, config.metrics),
      ...(cache ? [invalidationRoute({ cache, logger, createContext: operatorContext })] : []),
      ...(catalog ? catalog.routes(operatorContext) : []),
      ...(live ? [registrationRoute({ live, logger, createContext: operatorContext })] : []),
      ...(mcp?.routes ?? []),
    ],
    bodyLimitFor: (principal) => maxBodyBytesFor(config.limits, principal),
    onRejectedCredentials: recorders.rejectedCredentials,
    // Refused operator routes (403; 401 without credentials) and bodies over the limit are audited like denials.
    onRefused: recorders.refused,
  });
  const shutdown = new GracefulShutdown(server);
  subscriptions?.listen(server);
  const port = await listen(server, config.server.host, config.server.port);
  const shownHost = config.server.host === '0.0.0.0' ? 'localhost' : config.server.host;
  const url = `http://${shownHost}:${port}${GRAPHQL_PATH}`;
  logger.info({ url, subgraphs: [...gateway.subgraphUrls().keys()], policies: config.authorization.enabled ? config.authorization.policies : 'off' }, 'gateway ready');

  let stopped: Promise<void> | undefined;
  const stop = async () => {
    // First: /ready answers 503; the gateway keeps serving through the grace period, so a load balancer stops sending.
    markDraining(gateway);
    // Subscriptions end at once with SUBSCRIPTION_ENDED (their clients resubscribe elsewhere), so their streams do not hold the drain.
    await subscriptions?.stop();
    logger.info({ ...config.shutdown, inFlight: shutdown.requestsInFlight }, 'stopping: /ready answers 503; serving through the grace period, then draining');
    // Then: the listener closes and requests in flight finish (up to the drain timeout) against live subgraphs and caches.
    const { inFlightAtClose, cutOff } = await shutdown.stop(config.shutdown);
    if (cutOff > 0) logger.warn({ cutOff, drainTimeoutMs: config.shutdown.drainTimeoutMs }, 'requests still in flight at the drain timeout were cut off');
    else logger.info({ drained: inFlightAtClose }, 'every request in flight was answered');
    await apollo.stop();
    await catalog?.stop();
    await cache?.close();
    // Last: everything recorded while draining is written.
    await audit.close();
    // Then the spans still buffered are exported.
    await tracing?.stop();
  };

  return {
    url,
    port,
    gateway,
    audit,
    metrics,
    cache,
    supergraph: live,
    subscriptions: subscriptions?.service,
    catalog,
    stop() {
      stopped ??= stop();
      return stopped;
    },
  };
}
