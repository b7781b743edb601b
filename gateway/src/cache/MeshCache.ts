/**
 * The cache runtime one gateway shares between its stages: the store (Redis,
 * Redis Cluster or in-process), the key namespace of the current supergraph,
 * the entity types' keys and owners, in-flight deduplication, per-request cache
 * state, invalidation and the metrics.
 *
 * Per-request state lives on the request's context (`context.cache`), so it
 * is dropped with the request and never shared between requests.
 */
import { LRUCache } from 'lru-cache';
import type { MeshContext } from '../context';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics/Metrics';
import { CachePolicy, type CacheHint } from './cachePolicy';
import { createCacheMetrics, layerOfKey, type CacheMetrics } from './cacheMetrics';
import type { CacheConfig } from './config';
import { authorizationFingerprint, namespaceFor, normalizeKey, principalScope, Tags } from './keys';
import { LocalCopiesStore } from './LocalCopiesStore';
import { MemoryStore } from './MemoryStore';
import type { RedisStore, RedisStoreOptions } from './RedisStore';
import type { CacheStore, StoreEvents } from './store';
import { readEntities, type EntityInfo } from './supergraphEntities';

/**
 * What the response cache stage decided about a query's answer: `base` names
 * the operation after authorization, its name and coerced variables;
 * `personal` when it depended on who asked (row-level checks, a PRIVATE
 * hint, a per-principal subgraph); the hint and the entities it holds.
 */
export type ResponseFacts = { base: string; rowChecks: boolean; personal: boolean; hint: CacheHint; tags: string[] };

/** What one request learned about caching while it ran. */
export class RequestCacheState {
  /** Combined hints of every subgraph answer (fetched or served from the entity cache). */
  readonly policy = new CachePolicy();
  /** Some data came from a subgraph that may filter by identity, or carried a PRIVATE hint. */
  perPrincipal = false;
  /** Entities that went through entity fetches (`_entities` representations). */
  readonly tags = new Set<string>();
  /** Entity cache hits and misses per subgraph, for the cache-status extension. */
  readonly entities: Record<string, { hits: number; misses: number }> = {};
  fetches = 0;
  /** The answer was clean: a query without errors or extensions (set by the response shortcut's plugin). */
  cleanAnswer = false;
  /** Set by the response cache stage once it decided (the response shortcut stores the completed answer under these terms). */
  response?: ResponseFacts;
  /** Keys shared by principals with the same rights. */
  readonly fingerprint: string;
  /** Keys of this principal's own data: fingerprint and identity (id, email), see keys.ts principalScope. */
  readonly personalScope: string;

  constructor(context: MeshContext) {
    this.fingerprint = authorizationFingerprint(context.principal);
    this.personalScope = principalScope(context.principal);
  }

  noteHint(hint: CacheHint) {
    this.policy.restrict(hint);
    if (hint.scope === 'PRIVATE') this.perPrincipal = true;
  }

  entityStats(subgraph: string) {
    return (this.entities[subgraph] ??= { hits: 0, misses: 0 });
  }
}

type Settled<T, S> = { leader: true; value: T } | { leader: false; shared: S };

/**
 * In-flight deduplication: the first caller of a key runs, callers that arrive
 * while it runs wait for it and get `share(result)`, computed once and only if
 * someone waited. The entry is removed before the result is shared, so a later
 * caller always runs anew.
 */
export class Inflight {
  private readonly entries = new Map<string, { followers: number; shared: Promise<unknown> }>();

  get size() {
    return this.entries.size;
  }

  async run<T, S>(key: string, run: () => Promise<T>, share: (value: T) => S): Promise<Settled<T, S>> {
    const existing = this.entries.get(key);
    if (existing) {
      existing.followers++;
      return { leader: false, shared: (await existing.shared) as S };
    }
    let resolve!: (value: S) => void;
    let reject!: (error: unknown) => void;
    const shared = new Promise<S>((res, rej) => ((resolve = res), (reject = rej)));
    shared.catch(() => undefined);
    const entry = { followers: 0, shared };
    this.entries.set(key, entry);
    try {
      const value = await run();
      this.entries.delete(key);
      if (entry.followers > 0) {
        try {
          resolve(share(value));
        } catch (error) {
          reject(error);
        }
      }
      return { leader: true, value };
    } catch (error) {
      this.entries.delete(key);
      reject(error);
      throw error;
    }
  }
}

export type InvalidationTarget = { entities?: { typename: string; key: Record<string, unknown> }[]; types?: string[] };
export type InvalidationSource = 'mutation' | 'endpoint';

export type MeshCacheOptions = { config: CacheConfig; metrics: Metrics; logger: Logger };

export class MeshCache {
  readonly config: CacheConfig;
  readonly store: CacheStore;
  readonly metrics: CacheMetrics;
  readonly logger: Logger;
  readonly inflight = new Inflight();
  /** Entity selections a subgraph answered with a PRIVATE hint: looked up per principal from then on. */
  readonly privateSelections = new LRUCache<string, true>({ max: 10_000 });
  private ns: string;
  private entities = new Map<string, EntityInfo>();

  constructor(options: MeshCacheOptions) {
    this.config = options.config;
    this.logger = options.logger;
    this.metrics = createCacheMetrics(options.metrics);
    this.ns = namespaceFor(this.config.keyPrefix, '');
    this.store = createStore(this.config, this.storeEvents());
  }

  /** Waits (bounded by the connect timeout) for the backend, and listens to other instances' invalidations. */
  async start(): Promise<void> {
    const timeout = this.config.redis.connectTimeoutMs;
    if (this.store instanceof LocalCopiesStore) this.store.listen();
    if (!(await this.store.ready(timeout)) && this.store.backend !== 'memory') {
      this.logger.warn({ backend: this.store.backend }, 'cache backend not reachable at start: serving without cache until it is');
    }
  }

  private storeEvents(): StoreEvents {
    let lastErrorLog = 0;
    return {
      error: (backend, operation, error) => {
        this.metrics.backendErrors.inc({ backend, operation });
        // One line per 10 s at most: an outage must not flood the logs.
        if (Date.now() - lastErrorLog > 10_000) {
          lastErrorLog = Date.now();
          this.logger.warn({ backend, operation, err: error }, 'cache backend error: serving without cache');
        }
      },
      dropped: (backend) => this.metrics.dropped.inc({ backend }),
      availability: (backend, up) => {
        this.metrics.backendUp.set({ backend }, up ? 1 : 0);
        if (up) this.logger.info({ backend }, 'cache backend connected');
        else this.logger.warn({ backend }, 'cache backend disconnected: serving without cache, reconnecting');
      },
      remoteInvalidation: (_tags, removed) => {
        this.metrics.invalidations.inc({ source: 'remote' });
        this.countRemoved(removed);
      },
    };
  }

  /** A new supergraph: new key namespace (old entries are never read again) and entity facts. */
  updateSupergraph(supergraphSdl: string) {
    this.ns = namespaceFor(this.config.keyPrefix, supergraphSdl);
    this.entities = readEntities(supergraphSdl);
  }

  get namespace() {
    return this.ns;
  }

  get entityTypes(): ReadonlyMap<string, EntityInfo> {
    return this.entities;
  }

  /** The request's cache state, created on first use (shared by Apollo Server's copies of the context). */
  stateFor(context: MeshContext): RequestCacheState {
    return (context.cache.state ??= new RequestCacheState(context));
  }

  isPerPrincipalSubgraph(subgraph: string) {
    return this.config.perPrincipalSubgraphs.includes(subgraph);
  }

  /** Tags of an entity cache entry: its type, its key(s) when readable, else "unkeyed". */
  tagsOfRepresentation(representation: Record<string, unknown>): string[] {
    const typename = String(representation.__typename);
    const tags = [Tags.type(typename)];
    for (const key of this.entities.get(typename)?.keys ?? []) {
      if (key.every((field) => representation[field] !== undefined && representation[field] !== null)) {
        tags.push(Tags.entity(typename, Object.fromEntries(key.map((field) => [field, representation[field]]))));
      }
    }
    if (tags.length === 1) tags.push(Tags.unkeyed(typename));
    return tags;
  }

  /** Drops, in both layers and on every instance, the given entities and types. */
  async invalidate(target: InvalidationTarget, source: InvalidationSource): Promise<{ tags: string[]; removed: number }> {
    const tags = new Set<string>();
    for (const { typename, key } of target.entities ?? []) {
      tags.add(Tags.entity(typename, normalizeKey(key)));
      tags.add(Tags.unkeyed(typename));
    }
    for (const typename of target.types ?? []) tags.add(Tags.type(typename));
    return this.invalidateTags([...tags], source);
  }

  async invalidateTags(tags: string[], source: InvalidationSource): Promise<{ tags: string[]; removed: number }> {
    if (tags.length === 0) return { tags, removed: 0 };
    const removed = await this.store.invalidateTags(tags);
    this.metrics.invalidations.inc({ source });
    this.countRemoved(removed);
    return { tags, removed: removed.length };
  }

  private countRemoved(keys: string[]) {
    for (const key of keys) {
      const where = layerOfKey(key);
      if (where) this.metrics.invalidatedEntries.inc(where);
    }
  }

  async close() {
    await this.store.close();
  }
}

function createStore(config: CacheConfig, events: StoreEvents): CacheStore {
  const memory = () => new MemoryStore(config.memory);
  if (!config.cluster && !config.redisUrl) return memory();
  // Loaded only when Redis is configured: ioredis costs a gateway without Redis about 9 MB.
  const { RedisClusterStore, RedisStore: RedisNodeStore } = require('./RedisStore') as typeof import('./RedisStore');
  const redisOptions: RedisStoreOptions = { keyPrefix: config.keyPrefix, ...config.redis, events };
  const remote: RedisStore = config.cluster
    ? RedisClusterStore.connectCluster(config.cluster.nodes, redisOptions)
    : RedisNodeStore.connect(config.redisUrl!, redisOptions);
  if (config.redis.localTtlSec === 0) return remote;
  return new LocalCopiesStore(memory(), remote, { localTtlSec: config.redis.localTtlSec, keyPrefix: config.keyPrefix, events });
}
