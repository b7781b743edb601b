/**
 * GraphQL over WebSocket on /graphql: graphql-ws (protocol
 * graphql-transport-ws) on a `ws` server that takes the HTTP server's upgrade
 * requests for that path only.
 *
 * Guarantees:
 * - credentials are checked once, at connection_init (credentials.ts: the
 *   payload, or the upgrade request's headers); bad ones close the socket
 *   with 4401 and the reason, and are audited like a rejected request; the
 *   connection then runs as that principal;
 * - a token's expiry closes the socket with 4401 "token expired" (and each of
 *   its subscriptions ends with UNAUTHENTICATED first: SubscriptionService);
 * - only subscriptions are served here; each goes through the
 *   SubscriptionService (limits, authorization, audit);
 * - messages are bounded by the principal-independent body limit
 *   (server.bodyLimitBytes); the socket is written one message at a time, so
 *   a consumer that does not read leaves events in its subscription's bounded
 *   Delivery, never in an unbounded socket buffer;
 * - ws and graphql-ws are loaded at the first upgrade, not at start.
 *
 * Must never: serve a connection before connection_init was checked, or keep
 * a connection open past its token's expiry.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, parse, type ExecutionResult } from 'graphql';
import type { WebSocket, WebSocketServer } from 'ws';
import type { MeshContext } from '../context';
import type { Identify } from '../identity/identify';
import { IdentityError } from '../identity/errors';
import { clientOf, requestIdOf } from '../http/requestContext';
import { GRAPHQL_PATH } from '../http/server';
import { credentialExpiry, credentialHeaders } from './credentials';
import type { SubscriptionService } from './SubscriptionService';

export type WebSocketTransportOptions = {
  server: Server;
  service: SubscriptionService;
  identify: Identify;
  maxMessageBytes: number;
  connectionInitWaitMs: number;
  onRejectedCredentials(error: IdentityError, req: IncomingMessage): void;
};

type Connection = { context?: MeshContext; expiresAt?: number; expiry?: NodeJS.Timeout };

const UNAUTHORIZED = 4401;
/** What graphql-ws is handed for a subscription the SubscriptionService already runs. */
const RUNNING = parse('subscription Running { __typename }');
/** WebSocket close reasons are limited to 123 bytes. */
const closeReason = (text: string) => (Buffer.byteLength(text) <= 123 ? text : `${Buffer.from(text).subarray(0, 120).toString('utf8')}...`);

export function attachWebSocketTransport(options: WebSocketTransportOptions) {
  const connections = new WeakMap<WebSocket, Connection>();
  // ws and graphql-ws are required, and their server made, at the first upgrade: a gateway nobody subscribes to over
  // WebSocket does not carry their code (0.25 MB of heap at start, which the old generation grows to about 4x under load).
  let running: { wss: WebSocketServer; disposable: { dispose(): void | Promise<void> } } | undefined;
  const start = () => {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { WebSocketServer } = require('ws') as typeof import('ws');
    const { useServer } = require('graphql-ws/use/ws') as typeof import('graphql-ws/use/ws');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes });
    return { wss, disposable: serve(useServer, wss) };
  };
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== GRAPHQL_PATH) return socket.destroy();
    const { wss } = (running ??= start());
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  };
  options.server.on('upgrade', onUpgrade);

  const serve = (useServer: typeof import('graphql-ws/use/ws').useServer, wss: WebSocketServer) => useServer<Record<string, unknown>>(
    {
      connectionInitWaitTimeout: options.connectionInitWaitMs,
      onConnect: async (ctx) => {
        const { socket, request } = ctx.extra;
        const headers = credentialHeaders(ctx.connectionParams, request.headers);
        try {
          const principal = await options.identify(headers);
          const connection: Connection = { context: { principal, requestId: requestIdOf(request), client: clientOf(request), _shield: { cache: {} }, cache: {} } };
          connection.expiresAt = credentialExpiry(headers);
          if (connection.expiresAt !== undefined) {
            const at = new Date(connection.expiresAt).toISOString();
            connection.expiry = setTimeout(() => socket.close(UNAUTHORIZED, closeReason(`Unauthorized: the token expired at ${at}`)), Math.min(2 ** 31 - 1, Math.max(0, connection.expiresAt - Date.now())));
          }
          connections.set(socket, connection);
          return true;
        } catch (error) {
          if (!(error instanceof IdentityError)) throw error;
          options.onRejectedCredentials(error, request);
          socket.close(UNAUTHORIZED, closeReason(`Unauthorized: ${error.message}`));
          return false;
        }
      },
      onSubscribe: async (ctx, _id, payload) => {
        const connection = connections.get(ctx.extra.socket);
        if (!connection?.context) return [new GraphQLError('The connection is not initialised', { extensions: { code: 'UNAUTHENTICATED' } })];
        const context: MeshContext = { ...connection.context, _shield: { cache: {} }, cache: {} };
        const started = await options.service.start({
          context,
          query: payload.query,
          documentId: (payload as { documentId?: unknown }).documentId,
          extensions: payload.extensions,
          operationName: payload.operationName,
          variables: payload.variables,
          transport: 'graphql-ws',
          expiresAt: connection.expiresAt,
        });
        if (!isIterator(started)) return (started.errors ?? []).map(asGraphQLError);
        // graphql-ws reads the operation type from the document it is given; the stream is already running.
        return { schema: undefined as never, document: RUNNING, contextValue: { stream: started } };
      },
      subscribe: (args) => (args.contextValue as { stream: AsyncIterableIterator<ExecutionResult> }).stream,
      execute: () => ({ errors: [new GraphQLError('Only subscriptions are served over WebSocket; send queries by POST to /graphql')] }),
      onClose: (ctx) => clearTimeout(connections.get(ctx.extra.socket)?.expiry),
    },
    wss,
  );

  return {
    /** Closes every connection (1001 going away) and stops taking upgrades. */
    async close() {
      options.server.off('upgrade', onUpgrade);
      if (!running) return;
      const { wss, disposable } = running;
      for (const client of wss.clients) client.close(1001, 'The gateway is stopping');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function isIterator(value: unknown): value is AsyncIterableIterator<ExecutionResult> {
  return typeof (value as AsyncIterableIterator<unknown>)?.[Symbol.asyncIterator] === 'function';
}

function asGraphQLError(error: unknown): GraphQLError {
  if (error instanceof GraphQLError) return error;
  const { message, extensions } = error as { message: string; extensions?: Record<string, unknown> };
  return new GraphQLError(message, { extensions });
}
