/**
 * The `cache` section of the gateway's configuration (zod, strict). Every layer
 * has its own switch so a benchmark can run "response cache on", "entity cache
 * only" or "dedupe on" from config or environment alone.
 */
import { z } from 'zod';

const hostPort = z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'a "host:port" address');

const MemoryConfig = z
  .object({
    /** Bound of the in-process LRU (the whole cache without Redis; the local copies with it), in bytes of stored JSON. */
    maxBytes: z.number().int().min(1024).default(64 * 1024 * 1024),
    /** Bound on the number of entries, whatever their size. */
    maxEntries: z.number().int().positive().default(100_000),
  })
  .strict();

const RedisConfig = z
  .object({
    /** A Redis command that takes longer fails and the request goes on without the cache. */
    commandTimeoutMs: z.number().int().positive().max(10_000).default(100),
    connectTimeoutMs: z.number().int().positive().default(2000),
    /** Cache writes run in the background; beyond this many in flight, further writes are dropped (and counted). */
    maxPendingWrites: z.number().int().positive().default(1000),
    /** Invalidations that failed while Redis was unreachable are replayed on reconnect, up to this many tags. */
    maxPendingInvalidations: z.number().int().positive().default(10_000),
    /**
     * Seconds an instance keeps a local in-process copy of what it read from or wrote to Redis
     * (0: none). Other instances' invalidations drop local copies through Redis pub/sub.
     */
    localTtlSec: z.number().int().min(0).default(5),
  })
  .strict();

const Switch = (enabled: boolean) => z.object({ enabled: z.boolean().default(enabled) }).strict();

export const CacheConfigSchema = z
  .object({
    /** Redis (single node) through ioredis (REDIS_URL); without it and without `cluster`, an in-process LRU. */
    redisUrl: z.url({ protocol: /^rediss?$/ }).optional(),
    /** Redis Cluster seed nodes (MESHGATE_REDIS_CLUSTER_NODES, comma-separated "host:port"). */
    cluster: z.object({ nodes: z.array(hostPort).min(1) }).strict().optional(),
    /** Prefix of every key and of the invalidation channel; keys also carry a format version and the supergraph's hash. */
    keyPrefix: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, "_", "." or "-"').default('meshgate'),
    /** Time to live when a subgraph sends no Cache-Control header (0: such answers are not cached). */
    defaultTtlSec: z.number().int().min(0).default(30),
    /** Upper bound of any time to live, whatever the hints say. */
    maxTtlSec: z.number().int().positive().default(3600),
    memory: MemoryConfig.default(MemoryConfig.parse({})),
    redis: RedisConfig.default(RedisConfig.parse({})),
    /** Whole responses of queries, keyed by the operation after authorization, its variables and the authorization fingerprint. */
    responseCache: Switch(true).default({ enabled: true }),
    /** `_entities` results per subgraph, typename and key. */
    entityCache: Switch(true).default({ enabled: true }),
    /** Identical queries (and identical subgraph fetches) in flight at once run once and share the result. */
    dedupe: Switch(true).default({ enabled: true }),
    /**
     * Subgraphs whose answers depend on who asks beyond roles, scopes and domains
     * (they filter rows by the principal's id or email): their data is cached per principal.
     * A subgraph can say the same per answer with a PRIVATE cache hint.
     */
    perPrincipalSubgraphs: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .superRefine((cache, ctx) => {
    if (cache.redisUrl && cache.cluster) ctx.addIssue({ code: 'custom', path: ['cluster'], message: 'give either cache.redisUrl or cache.cluster, not both' });
  });

export type CacheConfig = z.infer<typeof CacheConfigSchema>;

/** Environment variables of the cache section (read by loadConfig). */
export const CACHE_ENV_KEYS = {
  REDIS_URL: { path: ['cache', 'redisUrl'], type: 'string' },
  MESHGATE_REDIS_CLUSTER_NODES: { path: ['cache', 'cluster', 'nodes'], type: 'list' },
  MESHGATE_CACHE_DEFAULT_TTL_SEC: { path: ['cache', 'defaultTtlSec'], type: 'number' },
  MESHGATE_CACHE_RESPONSE: { path: ['cache', 'responseCache', 'enabled'], type: 'boolean' },
  MESHGATE_CACHE_ENTITY: { path: ['cache', 'entityCache', 'enabled'], type: 'boolean' },
  MESHGATE_CACHE_DEDUPE: { path: ['cache', 'dedupe', 'enabled'], type: 'boolean' },
} as const;

/** True when any layer is on: the gateway then builds the cache runtime. */
export const anyCacheLayer = (cache: CacheConfig) => cache.responseCache.enabled || cache.entityCache.enabled || cache.dedupe.enabled;
