/**
 * CORS at the front door: which browser origins may call the gateway.
 *
 * Guarantees: an origin gets CORS headers only when it is listed exactly in
 * `server.cors.allowedOrigins` (scheme, host and port, e.g.
 * "https://dash.example.com"; no wildcards, so a credentialed page elsewhere
 * can never read answers). The default list is empty: same origin only. A
 * preflight (OPTIONS with Access-Control-Request-Method) is answered here,
 * 204, before identification or any route; for an origin not listed it
 * carries no allow headers, so the browser refuses. Every answer says
 * `Vary: Origin`, so caches never replay one origin's headers to another.
 * It never decides what a request may do: identity and authorization still
 * apply to every request that follows.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';

export const CorsConfigSchema = z
  .object({
    /** Origins allowed to call the gateway from a browser, exactly as the browser sends them ("https://app.example.com"). */
    allowedOrigins: z
      .array(z.string().regex(/^https?:\/\/[^/\s*]+$/, 'expected an origin: http(s)://host[:port], without path or wildcard'))
      .default([]),
    /** Whether those origins may send cookies or Authorization with credentials mode "include". */
    allowCredentials: z.boolean().default(false),
    /** How long a browser may reuse a preflight answer. */
    maxAgeSeconds: z.number().int().min(0).max(86_400).default(600),
  })
  .strict();

export type CorsConfig = z.infer<typeof CorsConfigSchema>;

const ALLOWED_METHODS = 'GET, POST, OPTIONS';
const ALLOWED_HEADERS = 'authorization, content-type, x-api-key, x-request-id, apollographql-client-name, apollographql-client-version, apollo-require-preflight';
const EXPOSED_HEADERS = 'x-request-id';

/** Sets the CORS headers of this request's answer; true when it was a preflight, answered here. */
export function handleCors(req: IncomingMessage, res: ServerResponse, config: CorsConfig): boolean {
  res.setHeader('vary', 'Origin');
  const origin = req.headers.origin;
  const allowed = typeof origin === 'string' && config.allowedOrigins.includes(origin);
  if (allowed) {
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
    if (config.allowCredentials) res.setHeader('access-control-allow-credentials', 'true');
  }
  if (req.method !== 'OPTIONS' || !req.headers['access-control-request-method']) return false;
  if (allowed) {
    res.setHeader('access-control-allow-methods', ALLOWED_METHODS);
    res.setHeader('access-control-allow-headers', ALLOWED_HEADERS);
    res.setHeader('access-control-max-age', String(config.maxAgeSeconds));
  }
  req.resume();
  res.writeHead(204, { 'content-length': '0' }).end();
  return true;
}
