/**
 * GraphQL over Server-Sent Events on /graphql: graphql-sse in distinct
 * connections mode, a POST with `Accept: text/event-stream` whose body is
 * one subscription. The front door (http/server.ts) has already identified
 * the principal (a bad token is a 401 before any stream opens) and read the
 * body within the principal's limit.
 *
 * Guarantees: only subscriptions are served this way, each through the
 * SubscriptionService; a refusal (limits, FORBIDDEN root field, too many
 * subscriptions) is the stream's one event, then it completes; an ended
 * subscription's last event says why (token expired, too slow, ...).
 * Events are written one at a time after the previous one was flushed
 * (subgraphs/lib/sse.ts), so an unread stream waits in the subscription's
 * bounded Delivery.
 *
 * Must never: open a stream for a request the front door did not identify.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse, type ExecutionResult } from 'graphql';
import { createHandler } from 'graphql-sse';
import type { MeshContext } from '../context';
import type { RequestHeaders } from '../identity/identify';
import { serveEventStream } from '../../../subgraphs/lib/sse';
import { credentialExpiry } from './credentials';
import type { SubscriptionService } from './SubscriptionService';

type Stashed = { context: MeshContext; expiresAt?: number };

export function sseTransport(service: SubscriptionService) {
  const requests = new WeakMap<IncomingMessage, Stashed>();
  const handler = createHandler<IncomingMessage, { res: ServerResponse }, { stream?: AsyncIterableIterator<ExecutionResult> }>({
    onSubscribe: async (req, params) => {
      const stashed = requests.get(req.raw)!;
      const started = await service.start({
        context: stashed.context,
        query: params.query,
        operationName: params.operationName,
        variables: params.variables,
        transport: 'graphql-sse',
        expiresAt: stashed.expiresAt,
      });
      if (!(Symbol.asyncIterator in started)) return started as ExecutionResult;
      return { schema: undefined as never, document: parse('subscription { __typename }'), contextValue: { stream: started as AsyncIterableIterator<ExecutionResult> } };
    },
    // The SubscriptionService validated the document (receiveSubscription.ts); what reaches graphql-sse is its running stream.
    validate: () => [],
    subscribe: (args) => args.contextValue.stream!,
    execute: () => ({ errors: [{ message: 'Only subscriptions are served as event streams; send queries by POST with Accept: application/json' }] }) as never,
  });
  return (req: IncomingMessage, res: ServerResponse, body: Buffer, context: MeshContext) => {
    requests.set(req, { context, expiresAt: credentialExpiry(req.headers as RequestHeaders) });
    return serveEventStream(handler as never, req, res, body.toString('utf8'));
  };
}
