/**
 * GraphQL over Server-Sent Events on /graphql, in graphql-sse's distinct
 * connections mode: a POST with `Accept: text/event-stream` whose body is one
 * subscription, answered with `next` events and one `complete` (the
 * graphql-sse client reads it; tests use it). The front door
 * (http/server.ts) has already identified the principal (a bad token is a
 * 401 before any stream opens) and read the body within the principal's limit.
 *
 * Written here rather than with graphql-sse's handler because that handler
 * pulls every result of an operation as soon as it exists into an unbounded
 * array (handler.js, createStream) before writing it: a client that does not
 * read would grow it without limit, past the subscription's bounded
 * Delivery. Here the next event is taken from the Delivery only after the
 * previous one was flushed to the socket, so an unread stream waits in the
 * Delivery, which ends it with SLOW_CONSUMER when full.
 *
 * Guarantees: only subscriptions are served this way, each through the
 * SubscriptionService; a refusal (limits, FORBIDDEN root field, too many
 * subscriptions) is the stream's one `next` event, then `complete`; an ended
 * subscription's last event says why; the client closing the connection
 * ends the subscription. A comment line every 12 s keeps proxies from
 * closing an idle stream.
 *
 * Must never: open a stream for a request the front door did not identify,
 * or buffer more than one event in the response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionResult } from 'graphql';
import type { MeshContext } from '../context';
import type { RequestHeaders } from '../identity/identify';
import { HttpError } from '../../../subgraphs/lib/http';
import { credentialExpiry } from './credentials';
import type { SubscriptionService } from './SubscriptionService';

const KEEP_ALIVE_MS = 12_000;

type Body = { query?: unknown; documentId?: unknown; operationName?: unknown; variables?: unknown; extensions?: unknown };

const event = (name: 'next' | 'complete', data?: unknown) => `event: ${name}\ndata:${data === undefined ? '' : ` ${JSON.stringify(data)}`}\n\n`;

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

const write = (res: ServerResponse, chunk: string) =>
  new Promise<boolean>((resolve) => {
    if (!res.writable || res.destroyed) return resolve(false);
    res.write(chunk, (error) => resolve(!error));
  });

export function sseTransport(service: SubscriptionService) {
  return async (req: IncomingMessage, res: ServerResponse, body: Buffer, context: MeshContext): Promise<void> => {
    const request = parseBody(body);
    const started = await service.start({ context, ...request, transport: 'graphql-sse', expiresAt: credentialExpiry(req.headers as RequestHeaders) });
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'content-encoding': 'none' });
    if (!(Symbol.asyncIterator in started)) {
      await write(res, event('next', started as ExecutionResult) + event('complete'));
      return new Promise((resolve) => res.end(resolve));
    }
    const events = started as AsyncIterableIterator<ExecutionResult>;
    const stop = () => void events.return?.();
    res.once('close', stop);
    const keepAlive = setInterval(() => void write(res, ':\n\n'), KEEP_ALIVE_MS);
    try {
      // An empty comment first: some browsers show nothing of a stream before its first bytes.
      let open = await write(res, ':\n\n');
      while (open) {
        const { done, value } = await events.next();
        if (done) break;
        open = await write(res, event('next', value));
      }
      if (open) await write(res, event('complete'));
    } finally {
      clearInterval(keepAlive);
      res.off('close', stop);
      stop();
    }
    if (!res.destroyed) await new Promise((resolve) => res.end(resolve));
  };
}
