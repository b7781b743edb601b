/**
 * Compression of large answers (gzip or br, as the client's Accept-Encoding
 * prefers), with the `compression` middleware (expressjs), which works on
 * node:http's request and response.
 *
 * Guarantees: only answers of at least `thresholdBytes` with a compressible
 * content type are compressed (small ones cost more to compress than they
 * save); streamed answers (text/event-stream, multipart/mixed for @defer) are
 * never compressed, because the compressor would hold their parts back until
 * the end. Brotli runs at quality 4 (the library's default), not 11: the
 * maximum costs far more CPU than it saves on JSON. `Vary: Accept-Encoding` is
 * set on every compressible answer.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import compressionMiddleware from 'compression';
import { z } from 'zod';

export const CompressionConfigSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Smaller answers are sent as they are. */
    thresholdBytes: z.number().int().min(0).default(1024),
  })
  .strict();

export type CompressionConfig = z.infer<typeof CompressionConfigSchema>;

const STREAMED = /^(text\/event-stream|multipart\/)/i;

type Next = (error?: unknown) => void;

/** The compressor for a validated config, or undefined when it is off. */
export function createCompression(config: CompressionConfig): ((req: IncomingMessage, res: ServerResponse, next: Next) => void) | undefined {
  if (!config.enabled) return undefined;
  const middleware = compressionMiddleware({
    threshold: config.thresholdBytes,
    filter: (req, res) => !STREAMED.test(String(res.getHeader('content-type') ?? '')) && compressionMiddleware.filter(req, res),
  });
  return middleware as unknown as (req: IncomingMessage, res: ServerResponse, next: Next) => void;
}
