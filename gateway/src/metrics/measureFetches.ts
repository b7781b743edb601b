/**
 * Subgraph fetch metrics, per subgraph and data product, around every fetch
 * of a query plan (a FetchInterceptor wrapping the entity cache's, if any):
 *
 *   meshgate_subgraph_fetches_total{subgraph,product,outcome}       outcome: ok, error, or cached (nothing sent: entity cache or a fetch in flight answered)
 *   meshgate_subgraph_fetch_errors_total{subgraph,product,code}     errors in the subgraph's answer, or the fetch's own (SUBGRAPH_TIMEOUT, ...), once per code per fetch
 *   meshgate_subgraph_fetch_duration_seconds{subgraph,product}      the fetch as the plan waited for it, cache and retries included (histogram)
 *
 * It also notes the fetch's data product on the request (for the per-product
 * request metrics). Schema loading and health checks are not counted. It
 * never changes what the fetch returns or throws.
 */
import type { MeshContext } from '../context';
import type { FetchInterceptor } from '../execution/SubgraphDataSource';
import type { Metrics } from './Metrics';
import { LATENCY_BUCKETS } from './requestMetrics';
import { errorCodeLabel } from './requestObservation';

export function measureFetches(metrics: Metrics, productOf: (subgraph: string) => string, inner?: FetchInterceptor): FetchInterceptor {
  const fetches = metrics.counter('meshgate_subgraph_fetches_total', 'Subgraph fetches of query plans: ok, error, or cached (answered without a request: entity cache or a fetch in flight)', ['subgraph', 'product', 'outcome']);
  const errors = metrics.counter('meshgate_subgraph_fetch_errors_total', "Subgraph fetches with an error of this code, in the subgraph's answer or the fetch's own", ['subgraph', 'product', 'code']);
  const duration = metrics.histogram('meshgate_subgraph_fetch_duration_seconds', 'Subgraph fetch latency as the query plan waited for it (cache and retries included)', ['subgraph', 'product'], LATENCY_BUCKETS);

  return async (subgraph, options, send) => {
    if (!('incomingRequestContext' in options)) return inner ? inner(subgraph, options, send) : send(options);
    const product = productOf(subgraph);
    (options.context as Partial<MeshContext> | undefined)?.observed?.products.add(product);
    const started = performance.now();
    let sent = false;
    const sendCounted: typeof send = (sending) => {
      sent = true;
      return send(sending);
    };
    const codes = new Set<string>();
    try {
      const response = await (inner ? inner(subgraph, options, sendCounted) : sendCounted(options));
      for (const error of response.errors ?? []) codes.add(errorCodeLabel(error.extensions?.code ?? 'DOWNSTREAM_SERVICE_ERROR'));
      return response;
    } catch (error) {
      codes.add(errorCodeLabel((error as { extensions?: { code?: unknown } }).extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
      throw error;
    } finally {
      duration.observe({ subgraph, product }, (performance.now() - started) / 1000);
      fetches.inc({ subgraph, product, outcome: codes.size ? 'error' : sent ? 'ok' : 'cached' });
      for (const code of codes) errors.inc({ subgraph, product, code });
    }
  };
}
