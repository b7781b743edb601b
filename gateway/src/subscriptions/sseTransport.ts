/**
 * GraphQL over Server-Sent Events on /graphql, in graphql-sse's distinct
 * connections mode: a POST with `Accept: text/event-stream` whose body is one
 * subscription, answered with `next` events and one `complete`
 * (subgraphs/lib/sse.ts writes them, pulling the next event from the
 * subscription's bounded Delivery only after the previous one was flushed,
 * which graphql-sse's own handler does not: it buffers without bound). The
 * front door (http/server.ts) has already identified the principal (a bad
 * token is a 401 before any stream opens), applied the official-operations
 * rule, and read the body within the principal's limit.
 *
 * Guarantees: only subscriptions are served this way, each through the
 * SubscriptionService; a refusal (limits, FORBIDDEN root field, too many
 * subscriptions) is the stream's one `next` event, then `complete`; an ended
 * subscription's last event says why; the client closing the connection
 * ends the subscription.
 *
 * Must never: open a stream for a request the front door did not identify,
 * or buffer more than one event in the response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MeshContext } from '../context';
import type { RequestHeaders } from '../identity/identify';
import { HttpError } from '../../../subgraphs/lib/http';
import { writeEventStream } from '../../../subgraphs/lib/sse';
import { credentialExpiry } from './credentials';
import type { SubscriptionService } from './SubscriptionService';

type Body = { query?: unknown; documentId?: unknown; operationName?: unknown; variables?: unknown; extensions?: unknown };

function parseBody(body: Buffer): { query: string; documentId?: unknown; extensions?: unknown; operationName?: string | null; variables?: Record<string, unknown> | null } {
  let parsed: Body;
  try {
    parsed = JSON.parse(body.toString('utf8')) as Body;
  } catch {
    throw new HttpError(400, 'BAD_REQUEST', 'The body of an event-stream request is one JSON GraphQL request ({"query": ...})');
  }
  const byId = parsed?.documentId !== undefined || (parsed?.extensions as { persistedQuery?: unknown } | undefined)?.persistedQuery !== undefined;
  if (typeof parsed?.query !== 'string' && !byId) throw new HttpError(400, 'BAD_REQUEST', 'The request has no "query" string');
  if (parsed.operationName != null && typeof parsed.operationName !== 'string') throw new HttpError(400, 'BAD_REQUEST', '"operationName" must be a string');
  if (parsed.variables != null && (typeof parsed.variables !== 'object' || Array.isArray(parsed.variables))) throw new HttpError(400, 'BAD_REQUEST', '"variables" must be an object');
  return { query: typeof parsed.query === 'string' ? parsed.query : '', documentId: parsed.documentId, extensions: parsed.extensions, operationName: parsed.operationName as string | null | undefined, variables: parsed.variables as Record<string, unknown> | null | undefined };
}

export function sseTransport(service: SubscriptionService) {
  return async (req: IncomingMessage, res: ServerResponse, body: Buffer, context: MeshContext): Promise<void> => {
    const request = parseBody(body);
    const started = await service.start({ context, ...request, transport: 'graphql-sse', expiresAt: credentialExpiry(req.headers as RequestHeaders) });
    return writeEventStream(res, started);
  };
}
