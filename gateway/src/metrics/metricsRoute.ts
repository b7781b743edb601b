/** GET /metrics: the Prometheus exposition of the gateway's registry (open, like /health; expose it on an internal network only). */
import type { Route } from '../http/server';
import type { Metrics } from './Metrics';

export const METRICS_PATH = '/metrics';

export function metricsRoute(metrics: Metrics): Route {
  return {
    method: 'GET',
    path: METRICS_PATH,
    async handle(_req, res) {
      const { contentType, body } = await metrics.render();
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
    },
  };
}
