/**
 * Where cached entries live. Three stores keep one contract: MemoryStore (an
 * in-process LRU), RedisStore and RedisClusterStore (ioredis), and
 * LocalCopiesStore, which keeps short-lived in-process copies in front of
 * Redis and drops them on other instances' invalidations (pub/sub).
 *
 * Contract, whatever the backend:
 * - nothing here ever fails a request: a backend error reads as a miss, a
 *   failed write is dropped, and both are counted (`events.error`);
 * - every entry has a time to live, carries the tags that say what it holds,
 *   and `invalidateTags` removes every entry with any of the tags;
 * - memory is bounded: the LRU by bytes and entries, background writes and
 *   pending invalidations by count.
 */
import type { CacheScope } from './cachePolicy';

/**
 * What a read returns: the metadata, and the value as stored (JSON text),
 * parsed anew on every read of `value`, so the caller may change what it gets.
 * The response shortcut sends `json` without parsing it at all.
 */
export class CacheRecord {
  constructor(
    readonly json: string,
    /** Epoch milliseconds. */
    readonly expiresAt: number,
    readonly scope: CacheScope,
    /** What the entry holds (see keys.ts Tags), for invalidation. */
    readonly tags: string[],
    /** The value already parsed (decodeRecord checks texts from outside the process): handed to the first reader only. */
    private parsed?: unknown,
  ) {}

  get value(): unknown {
    const parsed = this.parsed;
    if (parsed === undefined) return JSON.parse(this.json);
    this.parsed = undefined;
    return parsed;
  }

  static fromWrite(write: CacheWrite): CacheRecord {
    return new CacheRecord(write.json, write.expiresAt, write.scope, write.tags);
  }
}

/**
 * What a write stores. The value is serialized by the caller at once, so later
 * changes to the object it came from (the gateway merges fetched entities into
 * the response in place) never reach the cache.
 */
export type CacheWrite = { key: string; json: string; expiresAt: number; scope: CacheScope; tags: string[] };

export type StoreBackend = 'memory' | 'redis' | 'redis-cluster';

export type StoreEvents = {
  /** A backend command failed or timed out. */
  error?(backend: StoreBackend, operation: string, error: unknown): void;
  /** A write or a pending invalidation was dropped because too many were waiting. */
  dropped?(backend: StoreBackend): void;
  /** The backend became reachable (true) or unreachable (false). */
  availability?(backend: StoreBackend, up: boolean): void;
  /** Another instance's invalidation dropped local copies. */
  remoteInvalidation?(tags: string[], removedKeys: string[]): void;
};

export interface CacheStore {
  readonly backend: StoreBackend;
  /** One record (or undefined) per key, in order; never rejects. */
  get(keys: string[]): Promise<(CacheRecord | undefined)[]>;
  /** Stores with each write's time to live; settles when done and never rejects. */
  set(writes: CacheWrite[]): Promise<void>;
  del(keys: string[]): Promise<void>;
  /** Removes every entry tagged with any of the tags; resolves with the keys removed. */
  invalidateTags(tags: string[]): Promise<string[]>;
  /** Resolves true once the backend answers, false after timeoutMs; never rejects. */
  ready(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/** The stored text: metadata first, the value last, as the caller serialized it. */
export function encodeWrite(write: CacheWrite): string {
  return `{"x":${write.expiresAt},"s":${write.scope === 'PRIVATE' ? 1 : 0},"t":${JSON.stringify(write.tags)},"v":${write.json}}`;
}

/** A stored text (from Redis) as a record, or undefined when it is missing, expired, or not ours or not whole. */
export function decodeRecord(text: string | null | undefined, now = Date.now()): CacheRecord | undefined {
  if (!text) return undefined;
  const head = metadataOf(text);
  if (!head || head.expiresAt <= now || !text.endsWith('}')) return undefined;
  const json = text.slice(head.valueStart, -1);
  try {
    return new CacheRecord(json, head.expiresAt, head.scope, head.tags, JSON.parse(json));
  } catch {
    return undefined;
  }
}

/** The metadata of a stored text, without parsing the value (a bare `,"v":` cannot occur inside a JSON string). */
export function metadataOf(text: string): { expiresAt: number; scope: CacheScope; tags: string[]; valueStart: number } | undefined {
  const end = text.indexOf(',"v":');
  if (end < 0) return undefined;
  try {
    const head = JSON.parse(`${text.slice(0, end)}}`) as { x: number; s: number; t: string[] };
    if (typeof head.x !== 'number') return undefined;
    return { expiresAt: head.x, scope: head.s === 1 ? 'PRIVATE' : 'PUBLIC', tags: head.t ?? [], valueStart: end + 5 };
  } catch {
    return undefined;
  }
}
