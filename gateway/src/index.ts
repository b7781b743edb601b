/**
 * Builds the gateway from a validated config: the request pipeline in order,
 * and nothing else. Each stage is its own module; read them top to bottom.
 */
import type { Server } from 'node:http';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled, ApolloServerPluginSchemaReportingDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import type { GatewayConfig } from './config';
import { MeshGateway } from './execution/MeshGateway';
import { createHttpServer, GRAPHQL_PATH, listen } from './http/server';
import { apolloLogger, createLogger, type Logger } from './logger';
import { maskUnexpectedErrors } from './plugins/maskUnexpectedErrors';
import { supergraphOptions } from './supergraph/supergraphSource';

export type RunningGateway = {
  url: string;
  port: number;
  gateway: MeshGateway;
  stop(): Promise<void>;
};

export async function startGateway(config: GatewayConfig, logger: Logger = createLogger(config.logging.level)): Promise<RunningGateway> {
  // @apollo/gateway sends telemetry to Apollo unless this is set; nothing leaves the machine unless configured.
  if (!config.apollo.telemetry) process.env.APOLLO_TELEMETRY_DISABLED = 'true';

  // Execute: @apollo/gateway's query plans, fetched through our subgraph data source.
  const gateway = new MeshGateway({
    supergraph: await supergraphOptions(config),
    subgraphRequests: config.subgraphRequests,
    logger,
    stages: [],
  });

  // Receive (parse, validate) and Complete (error policy) run inside Apollo Server.
  const apollo = new ApolloServer<BaseContext>({
    gateway,
    logger: apolloLogger(logger),
    introspection: config.introspection ?? config.mode === 'development',
    includeStacktraceInErrorResponses: config.mode === 'development',
    formatError: maskUnexpectedErrors(config.mode, logger),
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ...(config.apollo.telemetry ? [] : [ApolloServerPluginUsageReportingDisabled(), ApolloServerPluginSchemaReportingDisabled()]),
    ],
  });
  await apollo.start();

  const server: Server = createHttpServer({ config, apollo, gateway, logger });
  const port = await listen(server, config.server.host, config.server.port);
  const shownHost = config.server.host === '0.0.0.0' ? 'localhost' : config.server.host;
  const url = `http://${shownHost}:${port}${GRAPHQL_PATH}`;
  logger.info({ url, subgraphs: [...gateway.subgraphUrls().keys()] }, 'gateway ready');

  return {
    url,
    port,
    gateway,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5000).unref();
      });
      await apollo.stop();
    },
  };
}
