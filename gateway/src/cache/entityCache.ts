/**
 * The entity cache and in-flight deduplication of subgraph fetches, plugged
 * into every subgraph data source (a FetchInterceptor).
 *
 * `_entities` fetches are split per representation: hits are served from the
 * cache, only the misses are sent (one fetch), and the answer is merged back
 * in the original order, with error paths renumbered. This is what makes
 * cross-domain dashboards cheap: the customers behind 100 orders are fetched
 * once, then served from the cache by every later query that needs them.
 *
 * Key: subgraph, typename, the whole representation (key fields plus any
 * @requires fields), a hash of the exact fetch operation and its other
 * variables (so different selections never collide), and the authorization
 * fingerprint of the principal. Subgraphs receive the principal and may filter
 * rows by it: the fingerprint in every key means principals with different
 * rights never share an entity, and data a subgraph marks PRIVATE (or any data
 * of a subgraph listed in cache.perPrincipalSubgraphs) is keyed by principal
 * id as well. A subgraph that filters by the principal's id or email must say
 * so with one of those two; that is the documented contract.
 *
 * Time to live: the Cache-Control hint of the subgraph's answer (the most
 * restrictive hint of every type and field it touched), cache.defaultTtlSec
 * without a header, nothing cached on `no-store` or errors, capped by
 * cache.maxTtlSec. Mutations, and every fetch of a mutation's plan, bypass both
 * the cache and deduplication.
 */
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { MeshContext } from '../context';
import type { FetchInterceptor } from '../execution/SubgraphDataSource';
import { hintFromCacheControl, secondsLeft, type CacheHint } from './cachePolicy';
import { hashOf, stableStringify } from './keys';
import type { MeshCache, RequestCacheState } from './MeshCache';
import type { CacheWrite } from './store';
import { noteDeduplicatedFetch, noteEntityCacheOutcome } from '../telemetry/cacheOutcome';

type Options = GraphQLDataSourceProcessOptions<Record<string, any>>;
type Send = (options: Options) => Promise<GatewayGraphQLResponse>;
type IncomingOptions = Extract<Options, { incomingRequestContext: unknown }>;
type ErrorLike = { message: string; path?: readonly (string | number)[]; extensions?: Record<string, unknown> };

const MUTATION = /^\s*mutation\b/;
const MAX_PLAIN_REPRESENTATION = 160;
// The query planner names subgraph operations after the client's operation (`query Revenue__customers__1(...)`):
// the name does not change the answer, so it is left out of keys, and named dashboards share entities.
const OPERATION_NAME = /^\s*(query|subscription)\s+[_A-Za-z][_0-9A-Za-z]*/;
const withoutName = (query: string | undefined) => (query ?? '').replace(OPERATION_NAME, '$1');

/** Fetches of a query plan, as opposed to health checks and schema loading. */
const isIncoming = (options: Options): options is IncomingOptions => 'incomingRequestContext' in options;

export function createEntityCache(cache: MeshCache): FetchInterceptor {
  const { config } = cache;
  // Apollo's own view of the request's cache policy (the gateway's Cache-Control header): hits restrict it as fetches would.
  const incomingPolicy = (options: Options) => (isIncoming(options) ? options.incomingRequestContext.overallCachePolicy : undefined);

  /** One fetch, shared with identical fetches in flight (same subgraph, operation, variables and fingerprint). */
  const fetchShared = async (subgraph: string, state: RequestCacheState, options: Options, send: Send): Promise<{ response: GatewayGraphQLResponse; hint: CacheHint }> => {
    const sendAndNote = async (sent: Options) => {
      const response = await send(sent);
      const hint = hintFromCacheControl(response.http?.headers.get('cache-control'), config.defaultTtlSec);
      state.fetches++;
      state.noteHint(hint);
      if (cache.isPerPrincipalSubgraph(subgraph)) state.perPrincipal = true;
      return { response, hint };
    };
    if (!config.dedupe.enabled) return sendAndNote(options);
    const key = `${cache.namespace}f:${subgraph}:${hashOf(`${withoutName(options.request.query)}\0${stableStringify(options.request.variables ?? {})}`)}:${state.fingerprint}`;
    const settled = await cache.inflight.run(key, () => sendAndNote(options), ({ response, hint }) => ({
      json: JSON.stringify({ data: response.data, errors: response.errors }),
      hint,
      personalScope: state.personalScope,
    }));
    if (settled.leader) return settled.value;
    const { shared } = settled;
    if ((shared.hint.scope === 'PRIVATE' || cache.isPerPrincipalSubgraph(subgraph)) && shared.personalScope !== state.personalScope) return sendAndNote(options);
    cache.metrics.deduplicated.inc({ layer: 'fetch', subgraph });
    noteDeduplicatedFetch();
    state.noteHint(shared.hint);
    if (cache.isPerPrincipalSubgraph(subgraph)) state.perPrincipal = true;
    incomingPolicy(options)?.restrict(shared.hint);
    return { response: JSON.parse(shared.json) as GatewayGraphQLResponse, hint: shared.hint };
  };

  const fetchEntities = async (subgraph: string, state: RequestCacheState, options: Options, send: Send, representations: Record<string, unknown>[]) => {
    const { representations: _, ...otherVariables } = options.request.variables ?? {};
    const selection = hashOf(`${subgraph}\0${withoutName(options.request.query)}\0${stableStringify(otherVariables)}`);
    const personal = cache.isPerPrincipalSubgraph(subgraph) || cache.privateSelections.has(selection);
    // Representations are small (`{"__typename":"Customer","id":"42"}`): their text is the key; only long ones (@requires fields) are hashed.
    const identities = representations.map((representation) => {
      const text = stableStringify(representation);
      return text.length > MAX_PLAIN_REPRESENTATION ? hashOf(text) : text;
    });
    const keyFor = (index: number, scope: string) => `${cache.namespace}e:${subgraph}:${identities[index]}:${selection}:${scope}`;
    const records = await cache.store.get(representations.map((_, i) => keyFor(i, personal ? state.personalScope : state.fingerprint)));

    const stats = state.entityStats(subgraph);
    const missing: number[] = [];
    // Tags are needed for what is written (misses) and, when whole responses are cached, for the response's entry.
    const tagsOf = (index: number) => cache.tagsOfRepresentation(representations[index]);
    const tagResponse = config.responseCache.enabled;
    // Hits restrict the request's cache policy as fetching them would have: by the shortest time left, PRIVATE if any was.
    let earliest = Infinity;
    let anyPrivate = false;
    records.forEach((record, i) => {
      if (tagResponse) for (const tag of tagsOf(i)) state.tags.add(tag);
      if (!record) return void missing.push(i);
      if (record.expiresAt < earliest) earliest = record.expiresAt;
      if (record.scope === 'PRIVATE') anyPrivate = true;
    });
    if (earliest !== Infinity) {
      const hint: CacheHint = { maxAge: secondsLeft(earliest), scope: anyPrivate ? 'PRIVATE' : 'PUBLIC' };
      state.noteHint(hint);
      incomingPolicy(options)?.restrict(hint);
    }
    stats.hits += representations.length - missing.length;
    stats.misses += missing.length;
    if (representations.length > missing.length) cache.metrics.hits.inc({ layer: 'entity', subgraph }, representations.length - missing.length);
    if (missing.length) cache.metrics.misses.inc({ layer: 'entity', subgraph }, missing.length);
    noteEntityCacheOutcome(representations.length - missing.length, missing.length);
    if (missing.length === 0) return { data: { _entities: records.map((record) => record!.value) } } as GatewayGraphQLResponse;

    const partial: Options = { ...options, request: { ...options.request, variables: { ...otherVariables, representations: missing.map((i) => representations[i]) } } };
    const { response, hint } = await fetchShared(subgraph, state, partial, send);
    const fetched = (response.data as { _entities?: unknown[] } | null | undefined)?._entities;
    const errors = (response.errors ?? []) as ErrorLike[];

    // Store what came back whole: an entity with an error on its path, or any error without a path, is not cached.
    const failed = new Set(errors.map((error) => (error.path?.[0] === '_entities' && typeof error.path[1] === 'number' ? error.path[1] : -1)));
    const ttl = Math.min(hint.maxAge, config.maxTtlSec);
    if (Array.isArray(fetched) && ttl > 0 && !failed.has(-1)) {
      if (hint.scope === 'PRIVATE') cache.privateSelections.set(selection, true);
      const writePersonal = personal || hint.scope === 'PRIVATE';
      const expiresAt = Date.now() + ttl * 1000;
      const writes: CacheWrite[] = [];
      missing.forEach((index, j) => {
        if (fetched[j] === null || fetched[j] === undefined || failed.has(j)) return;
        writes.push({
          key: keyFor(index, writePersonal ? state.personalScope : state.fingerprint),
          // Serialized now: the gateway merges fetched entities into the response in place.
          json: JSON.stringify(fetched[j]),
          expiresAt,
          scope: hint.scope,
          tags: tagsOf(index),
        });
      });
      if (writes.length) {
        cache.metrics.writes.inc({ layer: 'entity', subgraph }, writes.length);
        void cache.store.set(writes);
      }
    }
    if (missing.length === representations.length) return response;

    const entities: unknown[] = records.map((record) => record?.value ?? null);
    if (Array.isArray(fetched)) missing.forEach((index, j) => (entities[index] = fetched[j] ?? null));
    const renumbered = errors.map((error) =>
      error.path?.[0] === '_entities' && typeof error.path[1] === 'number' ? { ...error, path: ['_entities', missing[error.path[1]], ...error.path.slice(2)] } : error,
    );
    return { data: { _entities: entities }, ...(renumbered.length ? { errors: renumbered } : {}), extensions: response.extensions } as GatewayGraphQLResponse;
  };

  return async (subgraph, options, send) => {
    if (!isIncoming(options)) return send(options);
    const context = options.context as MeshContext | undefined;
    if (!context?.principal) return send(options);
    const query = options.request.query ?? '';
    if (options.incomingRequestContext.operation?.operation === 'mutation' || MUTATION.test(query)) return send(options);
    const state = cache.stateFor(context);
    const representations = options.request.variables?.representations;
    if (config.entityCache.enabled && Array.isArray(representations) && representations.length && query.includes('_entities')) {
      return fetchEntities(subgraph, state, options, send, representations as Record<string, unknown>[]);
    }
    return (await fetchShared(subgraph, state, options, send)).response;
  };
}
