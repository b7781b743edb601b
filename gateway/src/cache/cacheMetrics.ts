/** The cache's counters on the gateway's metrics registry, per layer (response, entity) and subgraph. */
import type { Metrics } from '../metrics/Metrics';

export type CacheLayer = 'response' | 'entity';

export function createCacheMetrics(metrics: Metrics) {
  const perLayer = ['layer', 'subgraph'] as const;
  return {
    hits: metrics.counter('meshgate_cache_hits_total', 'Cache hits: whole responses (subgraph "") and entities per subgraph', perLayer),
    misses: metrics.counter('meshgate_cache_misses_total', 'Cache misses, per layer and subgraph', perLayer),
    writes: metrics.counter('meshgate_cache_writes_total', 'Entries written, per layer and subgraph', perLayer),
    deduplicated: metrics.counter('meshgate_cache_deduplicated_total', 'Requests (layer response) or subgraph fetches (layer fetch) served by an identical one in flight', perLayer),
    frontDoor: metrics.counter('meshgate_cache_front_door_total', 'Requests answered before Apollo Server (cache/responseShortcut.ts): from the response cache (hit) or an identical request in flight (deduplicated)', ['outcome']),
    invalidations: metrics.counter('meshgate_cache_invalidations_total', 'Invalidations, per source: mutation, endpoint, remote (another instance)', ['source']),
    invalidatedEntries: metrics.counter('meshgate_cache_invalidated_entries_total', 'Entries removed by invalidation, per layer and subgraph', perLayer),
    backendErrors: metrics.counter('meshgate_cache_backend_errors_total', 'Failed or timed-out cache backend (Redis) commands and connection errors', ['backend', 'operation']),
    dropped: metrics.counter('meshgate_cache_dropped_total', 'Background writes or pending invalidations dropped at their bound', ['backend']),
    backendUp: metrics.gauge('meshgate_cache_backend_up', '1 while the cache backend answers', ['backend']),
  };
}

export type CacheMetrics = ReturnType<typeof createCacheMetrics>;

/** Layer and subgraph of a key `<prefix>:v<n>:<hash>:r:...` or `...:e:<subgraph>:...`. */
export function layerOfKey(key: string): { layer: CacheLayer; subgraph: string } | undefined {
  const parts = key.split(':');
  if (parts[3] === 'r') return { layer: 'response', subgraph: '' };
  if (parts[3] === 'e') return { layer: 'entity', subgraph: parts[4] ?? '' };
  return undefined;
}
