/**
 * Builds the gateway from a validated config: the request pipeline in order,
 * and nothing else. Each stage is its own module; read them top to bottom.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled, ApolloServerPluginSchemaReportingDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import type { GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { AuditLog } from './audit/AuditLog';
import { createAuditLog } from './audit/createAuditLog';
import { PolicyHolder, loadPolicySet } from './authorization/policySource';
import { useAuthorization } from './authorization/useAuthorization';
import type { DeniedPath } from './authorization/completeResponse';
import type { GatewayConfig } from './config';
import type { MeshContext } from './context';
import { MeshGateway, type ExecutionStage } from './execution/MeshGateway';
import { requestContextFactory, clientOf } from './http/requestContext';
import { createHttpServer, GRAPHQL_PATH, listen } from './http/server';
import type { IdentityError } from './identity/errors';
import { createIdentifier } from './identity/identify';
import { maxBodyBytesFor, useOperationLimits } from './limits/useOperationLimits';
import { apolloLogger, createLogger, type Logger } from './logger';
import { maskUnexpectedErrors } from './plugins/maskUnexpectedErrors';
import { supergraphOptions } from './supergraph/supergraphSource';

export type RunningGateway = {
  url: string;
  port: number;
  gateway: MeshGateway;
  /** The audit log; stop() closes it, writing everything buffered. */
  audit: AuditLog;
  stop(): Promise<void>;
};

const hashOf = (source: string | undefined) => (source ? createHash('sha256').update(source).digest('hex') : null);

export async function startGateway(config: GatewayConfig, logger: Logger = createLogger(config.logging.level)): Promise<RunningGateway> {
  // @apollo/gateway sends telemetry to Apollo unless this is set; nothing leaves the machine unless configured.
  if (!config.apollo.telemetry) process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const audit = createAuditLog(config.audit, logger);
  const introspection = config.authorization.introspection ?? (config.mode === 'development' ? 'always' : 'authenticated');

  // Execute stages, outermost first, around @apollo/gateway's query plans.
  const stages: ExecutionStage[] = [];
  let policies: PolicyHolder | undefined;
  if (config.authorization.enabled) {
    policies = new PolicyHolder(await loadPolicySet(config.authorization.policies), logger);
    // Authorize before planning; complete (nulls, FORBIDDEN errors) after execution; audit every denial.
    stages.push(
      useAuthorization({
        policy: policies.current,
        introspection,
        logger,
        onDenial: (denial: DeniedPath, requestContext: GatewayGraphQLRequestContext<MeshContext>) => {
          const { principal, requestId, client } = requestContext.context;
          audit.record({
            kind: 'denial',
            principal: { id: principal.id, kind: principal.kind, email: principal.email },
            operationName: requestContext.operationName ?? null,
            operationHash: hashOf(requestContext.source),
            path: denial.path,
            rule: denial.rule,
            reason: denial.reason,
            client,
            requestId,
          });
        },
      }),
    );
  }
  const gateway = new MeshGateway({
    supergraph: await supergraphOptions(config),
    subgraphRequests: config.subgraphRequests,
    exposeQueryPlans: config.mode === 'development',
    logger,
    stages,
  });
  if (policies) gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => policies.update(apiSchema, coreSupergraphSdl));

  // Receive: parse and validate (Apollo Server), then the operation limits of the principal's role.
  const apollo = new ApolloServer<MeshContext>({
    gateway,
    logger: apolloLogger(logger),
    // Introspection reaches the authorization stage, which applies the introspection policy.
    introspection: introspection !== 'never',
    includeStacktraceInErrorResponses: config.mode === 'development',
    formatError: maskUnexpectedErrors(config.mode, logger),
    plugins: [
      useOperationLimits(config.limits),
      ApolloServerPluginLandingPageDisabled(),
      ...(config.apollo.telemetry ? [] : [ApolloServerPluginUsageReportingDisabled(), ApolloServerPluginSchemaReportingDisabled()]),
    ],
  });
  try {
    await apollo.start();
    policies?.current();
  } catch (error) {
    await apollo.stop().catch(() => undefined);
    await audit.close();
    throw error;
  }

  // Identify: credentials become a principal before the body is read.
  const identify = createIdentifier(config.identity);
  const server: Server = createHttpServer({
    config,
    apollo,
    gateway,
    logger,
    createContext: requestContextFactory(identify),
    bodyLimitFor: (principal) => maxBodyBytesFor(config.limits, principal),
    onRejectedCredentials: (error: IdentityError, req: IncomingMessage) =>
      audit.record({
        kind: 'rejected-credentials',
        principal: { id: 'unknown', kind: 'anonymous' },
        operationName: null,
        operationHash: null,
        path: null,
        rule: null,
        reason: error.message,
        client: clientOf(req),
        requestId: 'none',
      }),
  });
  const port = await listen(server, config.server.host, config.server.port);
  const shownHost = config.server.host === '0.0.0.0' ? 'localhost' : config.server.host;
  const url = `http://${shownHost}:${port}${GRAPHQL_PATH}`;
  logger.info({ url, subgraphs: [...gateway.subgraphUrls().keys()], policies: config.authorization.enabled ? config.authorization.policies : 'off' }, 'gateway ready');

  return {
    url,
    port,
    gateway,
    audit,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5000).unref();
      });
      await apollo.stop();
      // Last: everything recorded while draining is written.
      await audit.close();
    },
  };
}
