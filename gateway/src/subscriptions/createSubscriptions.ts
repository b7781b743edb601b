/**
 * Subscriptions, assembled: the SubscriptionService (limits, authorization,
 * plans, audit and metrics per subscription), kept on the served supergraph,
 * and its two transports on /graphql: graphql-sse (an event stream the front
 * door hands over) and graphql-ws (the HTTP server's upgrade requests).
 *
 *   const subscriptions = createSubscriptions({ ... });
 *   createHttpServer({ eventStream: subscriptions.eventStream, ... });
 *   subscriptions.listen(server);
 *   // stopping: await subscriptions.stop();
 *
 * Guarantees: a subscription is received, identified, authorized and audited
 * as a query is (validation and the official-operations rule are the ones
 * /graphql uses); every supergraph update reaches the running subscriptions;
 * stop() ends every subscription (SUBSCRIPTION_ENDED) and closes the sockets,
 * so no stream holds the drain.
 * Must never: accept a WebSocket before listen() was given the server, or
 * keep one open after stop().
 */
import type { IncomingMessage, Server } from 'node:http';
import type { IntrospectionPolicy } from '../authorization/authorizeOperation';
import type { PolicyHolder } from '../authorization/policySource';
import type { GatewayConfig } from '../config';
import type { MeshGateway } from '../execution/MeshGateway';
import type { Identify } from '../identity/identify';
import type { IdentityError } from '../identity/errors';
import type { OperationRequests } from '../operations/operationRequests';
import type { ValidateOperation } from '../validation/validateOperation';
import { SubscriptionService, type SubscriptionServiceOptions } from './SubscriptionService';
import { sseTransport } from './sseTransport';
import { attachWebSocketTransport } from './websocketTransport';

export type SubscriptionsOptions = Pick<SubscriptionServiceOptions, 'audit' | 'metrics' | 'logger'> & {
  config: Pick<GatewayConfig, 'subscriptions' | 'limits' | 'server'>;
  gateway: MeshGateway;
  policies?: PolicyHolder;
  introspection: IntrospectionPolicy;
  validate: ValidateOperation;
  operations?: OperationRequests;
  /** Checks a WebSocket's credentials at connection_init, as /graphql checks a request's. */
  identify: Identify;
  onRejectedCredentials(error: IdentityError, req: IncomingMessage): void;
};

export function createSubscriptions(options: SubscriptionsOptions) {
  const { config, gateway } = options;
  const service = new SubscriptionService({
    config: config.subscriptions,
    limits: config.limits,
    gateway,
    policies: options.policies,
    introspection: options.introspection,
    validate: options.validate,
    operations: options.operations,
    audit: options.audit,
    metrics: options.metrics,
    logger: options.logger,
  });
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => service.onSupergraphUpdate(apiSchema));
  let websockets: ReturnType<typeof attachWebSocketTransport> | undefined;
  return {
    service,
    /** graphql-sse: the front door's handler for a POST to /graphql that asks for an event stream. */
    eventStream: sseTransport(service),
    /** graphql-ws: takes the server's upgrade requests for /graphql (messages bounded by server.bodyLimitBytes). */
    listen(server: Server) {
      websockets = attachWebSocketTransport({
        server,
        service,
        identify: options.identify,
        maxMessageBytes: config.server.bodyLimitBytes,
        connectionInitWaitMs: config.subscriptions.connectionInitWaitMs,
        onRejectedCredentials: options.onRejectedCredentials,
      });
    },
    /** Ends every subscription at once with SUBSCRIPTION_ENDED (their clients resubscribe elsewhere), then closes the sockets. */
    async stop() {
      service.stop();
      await websockets?.close();
    },
  };
}

export type Subscriptions = ReturnType<typeof createSubscriptions>;
