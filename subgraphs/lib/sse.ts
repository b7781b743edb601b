/**
 * GraphQL over Server-Sent Events, distinct connections mode (graphql-sse's
 * protocol: one POST with `Accept: text/event-stream` per operation, answered
 * with `next` events and one `complete`), written out by hand for the gateway
 * and the subgraphs; graphql-sse's client reads it (the gateway's upstream,
 * the tests, the query page).
 *
 * Why not graphql-sse's handler: it pulls every result of an operation as
 * soon as it exists into an unbounded array (handler.js, createStream) and
 * writes from there, so a reader that stops reading would grow it without
 * limit, past whatever bound the producer keeps. Here the next result is
 * pulled only after the previous one was flushed to the socket: results wait
 * in their producer's bounded queue (the gateway's Delivery, a subgraph's
 * eventStream), which decides what happens when it is full.
 *
 * Guarantees: at most one event buffered in the response; the producer's
 * return() is called when the client goes away or the stream ends; a comment
 * line every 12 s keeps proxies from closing an idle stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExecutionResult } from 'graphql';

const KEEP_ALIVE_MS = 12_000;

/** True for a POST that asks for an event stream (what graphql-sse's client sends). */
export function wantsEventStream(req: IncomingMessage): boolean {
  return req.method === 'POST' && (req.headers.accept ?? '').split(',').some((type) => type.trim().startsWith('text/event-stream'));
}

const event = (name: 'next' | 'complete', data?: unknown) => `event: ${name}\ndata:${data === undefined ? '' : ` ${JSON.stringify(data)}`}\n\n`;

const write = (res: ServerResponse, chunk: string) =>
  new Promise<boolean>((resolve) => {
    if (!res.writable || res.destroyed) return resolve(false);
    res.write(chunk, (error) => resolve(!error));
  });

/** Answers with an event stream of `results`: one result (a refusal, an error) or a running stream. */
export async function writeEventStream(res: ServerResponse, results: ExecutionResult | AsyncIterableIterator<ExecutionResult>): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'content-encoding': 'none' });
  if (!(Symbol.asyncIterator in results)) {
    await write(res, event('next', results) + event('complete'));
    return new Promise((resolve) => res.end(resolve));
  }
  const events = results as AsyncIterableIterator<ExecutionResult>;
  const stop = () => void events.return?.(undefined)?.catch?.(() => undefined);
  res.once('close', stop);
  const keepAlive = setInterval(() => void write(res, ':\n\n'), KEEP_ALIVE_MS);
  try {
    // An empty comment first: some browsers show nothing of a stream before its first bytes.
    let open = await write(res, ':\n\n');
    while (open) {
      let next: IteratorResult<ExecutionResult>;
      try {
        next = await events.next();
      } catch (error) {
        // The source failed (a subgraph's reader fell too far behind, its database went away): the last event says so.
        const { message, extensions } = error as { message?: string; extensions?: Record<string, unknown> };
        open = await write(res, event('next', { errors: [{ message: message ?? String(error), ...(extensions && { extensions }) }] }));
        break;
      }
      if (next.done) break;
      open = await write(res, event('next', next.value));
    }
    if (open) await write(res, event('complete'));
  } finally {
    clearInterval(keepAlive);
    res.off('close', stop);
    stop();
  }
  if (!res.destroyed) await new Promise((resolve) => res.end(resolve));
}
