/**
 * How the entity cache tells the fetch span (traceFetches.ts) what it did:
 * hit (every representation from the cache), miss (none) or partial, with the
 * counts. A no-op while tracing is off or outside a fetch span.
 */
import { activeSpan } from '../../../subgraphs/lib/telemetry/spans';

export function noteEntityCacheOutcome(hits: number, misses: number) {
  const span = activeSpan();
  if (!span) return;
  span.setAttributes({ 'meshgate.cache': misses === 0 ? 'hit' : hits === 0 ? 'miss' : 'partial', 'meshgate.cache.hits': hits, 'meshgate.cache.misses': misses });
}

/** A follower of an identical fetch in flight: it sent nothing and shares the leader's answer. */
export function noteDeduplicatedFetch() {
  activeSpan()?.setAttribute('meshgate.cache', 'deduplicated');
}
