/**
 * A span per subgraph fetch of a query plan (`meshgate.fetch`, kind CLIENT),
 * child of the request's execution span, around the entity cache and the
 * request itself (a FetchInterceptor wrapping the cache's, if any).
 *
 * Attributes: meshgate.subgraph, meshgate.product, meshgate.fetch.entities
 * (representations asked for; absent for root fields), meshgate.fetch.sent
 * (false when the entity cache or a fetch in flight answered), and from the
 * entity cache (cache/entityCache.ts) meshgate.cache = hit | miss | partial
 * with meshgate.cache.hits / meshgate.cache.misses; `bypass` when the fetch
 * is not cacheable (root fields, mutations, cache off). While the span is
 * active the data source writes its `traceparent` into the subgraph request,
 * so the subgraph's spans are its children.
 *
 * Never records the fetch's query, variables or answer: they hold the data.
 */
import { inSpan, SpanKind, tracingActive } from '../../../subgraphs/lib/telemetry/spans';
import type { FetchInterceptor } from '../execution/SubgraphDataSource';

export function traceFetches(productOf: (subgraph: string) => string, inner?: FetchInterceptor): FetchInterceptor {
  return (subgraph, options, send) => {
    // Off, or not a fetch of a query plan (schema loading, health checks): passed through, nothing allocated.
    if (!tracingActive() || !('incomingRequestContext' in options)) return inner ? inner(subgraph, options, send) : send(options);
    let sent = false;
    const sendNoted: typeof send = (sending) => {
      sent = true;
      return send(sending);
    };
    const representations = options.request.variables?.representations;
    return inSpan(
      'meshgate.fetch',
      {
        kind: SpanKind.CLIENT,
        attributes: () => ({
          'meshgate.subgraph': subgraph,
          'meshgate.product': productOf(subgraph),
          // The entity cache overwrites it on the entity fetches it judges (cache/entityCache.ts).
          'meshgate.cache': 'bypass',
          ...(Array.isArray(representations) && { 'meshgate.fetch.entities': representations.length }),
        }),
      },
      async (span) => {
        try {
          return await (inner ? inner(subgraph, options, sendNoted) : sendNoted(options));
        } finally {
          span?.setAttribute('meshgate.fetch.sent', sent);
        }
      },
    );
  };
}
