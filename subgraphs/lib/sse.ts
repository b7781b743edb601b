/**
 * Serves graphql-sse's handler (GraphQL over Server-Sent Events, distinct
 * connections mode) on Node's http with a body that was already read: the
 * subgraph reads it to verify the gateway's signature, the gateway to apply
 * its body limit, so graphql-sse's own http adapter (which reads the request
 * stream itself) cannot be used. This is that adapter's loop, kept as it is:
 * each event is written only after the previous one was flushed, so a client
 * that does not read stops the stream from being pulled (the producer's
 * bounded buffer decides what then happens), and the stream's iterator is
 * returned when the client goes away.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { createHandler } from 'graphql-sse';

export type SseHandler = ReturnType<typeof createHandler<IncomingMessage, { res: ServerResponse }, any>>;

/** True for a POST that asks for an event stream (what graphql-sse's client sends). */
export function wantsEventStream(req: IncomingMessage): boolean {
  return req.method === 'POST' && (req.headers.accept ?? '').split(',').some((type) => type.trim().startsWith('text/event-stream'));
}

export async function serveEventStream(handler: SseHandler, req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
  const [stream, init] = await handler({
    method: req.method!,
    url: req.url!,
    // graphql-sse compares the accept header exactly; wantsEventStream() has already decided.
    headers: { get: (key: string) => (key === 'accept' ? 'text/event-stream' : ([] as string[]).concat(req.headers[key] ?? []).join('\n') || undefined) },
    body,
    raw: req,
    context: { res },
  });
  res.writeHead(init.status, init.statusText, init.headers);
  if (!stream || typeof stream === 'string') return new Promise((resolve) => res.end(stream, () => resolve()));
  const stop = () => void stream.return?.(undefined);
  res.once('close', stop);
  for await (const chunk of stream) {
    if (!res.writable) break;
    await new Promise<void>((resolve, reject) => res.write(chunk, (error) => (error ? reject(error) : resolve())));
  }
  res.off('close', stop);
  await new Promise<void>((resolve) => res.end(resolve));
}
