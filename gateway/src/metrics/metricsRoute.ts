/**
 * GET /metrics: the Prometheus exposition of the gateway's registry.
 *
 * Open unless `metrics.token` is set (MESHGATE_METRICS_TOKEN): then only a
 * request with `Authorization: Bearer <token>` gets it, and any other gets 401
 * with a challenge, told to `onRefused` (the audit log). The token is compared
 * in constant time and never logged. Set it in production, or expose /metrics
 * on an internal network only.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { HttpError } from '../../../subgraphs/lib/http';
import type { Route } from '../http/server';
import type { Metrics } from './Metrics';

export const METRICS_PATH = '/metrics';

export const MetricsConfigSchema = z
  .object({
    /** A bearer token /metrics requires (at least 16 characters); open without one. */
    token: z.string().min(16, 'expected a token of at least 16 characters').optional(),
    /** How operation names become label values of the request metrics (operationLabels.ts). */
    operationNames: z
      .object({
        /** At most this many distinct names get their own label; later ones are counted as "other". */
        max: z.number().int().min(0).max(1000).default(100),
        /** When given, only these names (the official operations) get a label; every other name is "other". */
        allowed: z.array(z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*$/, 'a GraphQL operation name')).max(1000).optional(),
        /** Only the official operations' names (operations/, and `allowed`) get a label: for gateways whose clients send many names. */
        officialOnly: z.boolean().default(false),
      })
      .strict()
      .default({ max: 100, officialOnly: false }),
  })
  .strict();

export type MetricsConfig = z.infer<typeof MetricsConfigSchema>;

// Digests of equal length, so the comparison takes the same time whatever the length of what was sent.
const digest = (text: string) => createHash('sha256').update(text).digest();

function bearerOf(req: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  return match?.[1];
}

export function metricsRoute(metrics: Metrics, config: Pick<MetricsConfig, 'token'> = {}): Route {
  const expected = config.token === undefined ? undefined : digest(config.token);
  return {
    method: 'GET',
    path: METRICS_PATH,
    async handle(req, res) {
      if (expected) {
        const given = bearerOf(req);
        if (!given || !timingSafeEqual(digest(given), expected)) {
          throw new HttpError(401, 'UNAUTHENTICATED', `${METRICS_PATH} requires the metrics token (Authorization: Bearer <metrics.token>)`, { 'www-authenticate': 'Bearer realm="meshgate metrics"' });
        }
      }
      const { contentType, body } = await metrics.render();
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
    },
  };
}
