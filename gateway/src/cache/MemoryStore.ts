/**
 * The in-process store: an LRU (lru-cache) bounded by bytes of stored JSON and
 * by entry count, with per-entry time to live and a tag index kept in step
 * with it (an evicted or expired entry leaves the index too), so memory stays
 * bounded by the LRU's limits. Entries are kept as records whose value is
 * JSON text: every read parses its own copy, which later pipeline steps may
 * change freely, and nothing else is parsed on a read.
 */
import { LRUCache } from 'lru-cache';
import { CacheRecord, type CacheStore, type CacheWrite } from './store';

export type MemoryStoreOptions = { maxBytes: number; maxEntries: number };

export class MemoryStore implements CacheStore {
  readonly backend = 'memory' as const;
  private readonly tagIndex = new Map<string, Set<string>>();
  private readonly lru: LRUCache<string, CacheRecord>;

  constructor(options: MemoryStoreOptions) {
    this.lru = new LRUCache<string, CacheRecord>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: (record, key) => record.json.length + key.length + record.tags.reduce((sum, tag) => sum + tag.length, 0) + 96,
      dispose: (record, key) => this.unindex(key, record.tags),
    });
  }

  /** Bytes held, as the LRU counts them. */
  get size() {
    return this.lru.calculatedSize;
  }

  async get(keys: string[]): Promise<(CacheRecord | undefined)[]> {
    return keys.map((key) => this.lru.get(key));
  }

  async set(writes: CacheWrite[]): Promise<void> {
    const now = Date.now();
    for (const write of writes) this.setRecord(write.key, CacheRecord.fromWrite(write), write.expiresAt - now);
  }

  /** Keeps a record for ttlMs (LocalCopiesStore keeps Redis's records here, for less than their own time to live). */
  setRecord(key: string, record: CacheRecord, ttlMs: number) {
    if (ttlMs <= 0) return;
    this.lru.set(key, record, { ttl: ttlMs });
    // An entry larger than the whole cache is refused by the LRU: index only what it kept.
    if (this.lru.peek(key) !== record) return;
    for (const tag of record.tags) {
      let keys = this.tagIndex.get(tag);
      if (!keys) this.tagIndex.set(tag, (keys = new Set()));
      keys.add(key);
    }
  }

  async del(keys: string[]): Promise<void> {
    for (const key of keys) this.lru.delete(key);
  }

  async invalidateTags(tags: string[]): Promise<string[]> {
    const removed = new Set<string>();
    for (const tag of tags) for (const key of this.tagIndex.get(tag) ?? []) removed.add(key);
    for (const key of removed) this.lru.delete(key);
    return [...removed];
  }

  async ready() {
    return true;
  }

  async close() {
    this.lru.clear();
  }

  private unindex(key: string, tags: string[]) {
    for (const tag of tags) {
      const keys = this.tagIndex.get(tag);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.tagIndex.delete(tag);
    }
  }
}
