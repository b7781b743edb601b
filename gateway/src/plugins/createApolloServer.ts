/**
 * Apollo Server as meshgate runs it: the parser with the principal's token
 * limit, the given plugins in the given order, our error policy, and
 * everything of Apollo's own that would act before or beside our stages
 * turned off.
 *
 * Guarantees: Apollo's validation never runs (it runs before any plugin and is
 * quadratic: the principal's limits come first, then validation in linear
 * time, both among `plugins`); automatic persisted queries are off unless
 * operations.registration is on (they let any client register any document);
 * introspection reaches the authorization stage unless it is `never`; nothing
 * is reported to Apollo unless apollo.telemetry is on; SIGTERM and SIGINT are
 * left to meshgate (cli/gateway.ts), so requests drain and the audit log
 * flushes before Apollo stops. Must never: serve a landing page.
 */
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled, ApolloServerPluginSchemaReportingDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import type { IntrospectionPolicy } from '../authorization/authorizeOperation';
import type { GatewayConfig } from '../config';
import type { MeshContext } from '../context';
import type { MeshGateway } from '../execution/MeshGateway';
import type { ParseTokenLimit } from '../limits/parseTokenLimit';
import { apolloLogger, type Logger } from '../logger';
import type { maskUnexpectedErrors } from './maskUnexpectedErrors';

export type ApolloServerOptions = {
  config: Pick<GatewayConfig, 'mode' | 'operations' | 'apollo'>;
  gateway: MeshGateway;
  logger: Logger;
  introspection: IntrospectionPolicy;
  formatError: ReturnType<typeof maskUnexpectedErrors>;
  parseTokenLimit: ParseTokenLimit;
  /** Our plugins, in the order they run. */
  plugins: ApolloServerPlugin<MeshContext>[];
};

export function createApolloServer({ config, gateway, logger, introspection, formatError, parseTokenLimit, plugins }: ApolloServerOptions): ApolloServer<MeshContext> {
  return new ApolloServer<MeshContext>({
    gateway,
    logger: apolloLogger(logger),
    stopOnTerminationSignals: false,
    introspection: introspection !== 'never',
    includeStacktraceInErrorResponses: config.mode === 'development',
    formatError,
    parseOptions: parseTokenLimit.parseOptions,
    dangerouslyDisableValidation: true,
    persistedQueries: config.operations.registration.enabled ? { ttl: config.operations.registration.ttlSeconds } : false,
    plugins: [
      ...plugins,
      ApolloServerPluginLandingPageDisabled(),
      ...(config.apollo.telemetry ? [] : [ApolloServerPluginUsageReportingDisabled(), ApolloServerPluginSchemaReportingDisabled()]),
    ],
  });
}
