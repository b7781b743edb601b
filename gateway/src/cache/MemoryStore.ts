/**
 * The in-process store: an LRU (lru-cache) bounded by bytes of stored JSON and
 * by entry count, with per-entry time to live and a tag index kept in step
 * with it (an evicted or expired entry leaves the index too), so memory stays
 * bounded by the LRU's limits. Entries are stored as JSON strings: every read
 * gets its own copy, which later pipeline steps may change freely.
 */
import { LRUCache } from 'lru-cache';
import { decodeRecord, encodeWrite, type CacheRecord, type CacheStore, type CacheWrite } from './store';

type Entry = { text: string; tags: string[] };

export type MemoryStoreOptions = { maxBytes: number; maxEntries: number };

export class MemoryStore implements CacheStore {
  readonly backend = 'memory' as const;
  private readonly tagIndex = new Map<string, Set<string>>();
  private readonly lru: LRUCache<string, Entry>;

  constructor(options: MemoryStoreOptions) {
    this.lru = new LRUCache<string, Entry>({
      max: options.maxEntries,
      maxSize: options.maxBytes,
      sizeCalculation: (entry, key) => entry.text.length + key.length + entry.tags.reduce((sum, tag) => sum + tag.length, 0) + 64,
      dispose: (entry, key) => this.unindex(key, entry.tags),
    });
  }

  /** Bytes held, as the LRU counts them. */
  get size() {
    return this.lru.calculatedSize;
  }

  async get(keys: string[]): Promise<(CacheRecord | undefined)[]> {
    const now = Date.now();
    return keys.map((key) => decodeRecord(this.lru.get(key)?.text, now));
  }

  /** The stored texts, as they are (LocalCopiesStore keeps Redis's texts here). */
  getTexts(keys: string[]): (string | undefined)[] {
    return keys.map((key) => this.lru.get(key)?.text);
  }

  async set(writes: CacheWrite[]): Promise<void> {
    const now = Date.now();
    for (const write of writes) this.setText(write.key, encodeWrite(write), write.expiresAt - now, write.tags);
  }

  /** Stores an encoded entry for ttlMs. */
  setText(key: string, text: string, ttlMs: number, tags: string[]) {
    if (ttlMs <= 0) return;
    const entry = { text, tags };
    this.lru.set(key, entry, { ttl: ttlMs });
    // An entry larger than the whole cache is refused by the LRU: index only what it kept.
    if (this.lru.peek(key) !== entry) return;
    for (const tag of tags) {
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
