/**
 * Short-lived in-process copies in front of Redis. Reads try the local LRU
 * first, then Redis; what Redis returns (and what this instance writes) is
 * kept locally for at most `localTtlSec`, never past the entry's own expiry.
 *
 * Invalidation drops the tags locally, then in Redis, then publishes them on
 * the channel `<prefix>:invalidate`; every other instance drops its local
 * copies with those tags when the message arrives (milliseconds later). If
 * Redis is unreachable the message is lost, which is why local copies live
 * only seconds.
 */
import { randomUUID } from 'node:crypto';
import type { MemoryStore } from './MemoryStore';
import type { RedisStore } from './RedisStore';
import { CacheRecord, decodeRecord, type CacheStore, type CacheWrite, type StoreEvents } from './store';

type Message = { origin: string; tags: string[] };

export class LocalCopiesStore implements CacheStore {
  readonly instanceId = randomUUID();
  private readonly channel: string;

  constructor(
    private readonly local: MemoryStore,
    private readonly remote: RedisStore,
    private readonly options: { localTtlSec: number; keyPrefix: string; events?: StoreEvents },
  ) {
    this.channel = `${options.keyPrefix}:invalidate`;
  }

  get backend() {
    return this.remote.backend;
  }

  /** Starts listening to other instances' invalidations. */
  listen(): void {
    this.remote.subscribe(this.channel, (text) => {
      let message: Message;
      try {
        message = JSON.parse(text) as Message;
      } catch {
        return;
      }
      if (message.origin === this.instanceId || !Array.isArray(message.tags)) return;
      void this.local.invalidateTags(message.tags).then((removed) => this.options.events?.remoteInvalidation?.(message.tags, removed));
    });
  }

  private localTtlMs(expiresAt: number, now: number) {
    return Math.min(expiresAt - now, this.options.localTtlSec * 1000);
  }

  async get(keys: string[]): Promise<(CacheRecord | undefined)[]> {
    const records = await this.local.get(keys);
    const missing = keys.flatMap((key, i) => (records[i] ? [] : [i]));
    if (missing.length) {
      const fromRemote = await this.remote.getTexts(missing.map((i) => keys[i]));
      const now = Date.now();
      missing.forEach((i, j) => {
        const record = decodeRecord(fromRemote[j], now);
        if (!record) return;
        records[i] = record;
        this.local.setRecord(keys[i], record, this.localTtlMs(record.expiresAt, now));
      });
    }
    return records;
  }

  async set(writes: CacheWrite[]): Promise<void> {
    const now = Date.now();
    for (const write of writes) this.local.setRecord(write.key, CacheRecord.fromWrite(write), this.localTtlMs(write.expiresAt, now));
    await this.remote.set(writes);
  }

  async del(keys: string[]): Promise<void> {
    await this.local.del(keys);
    await this.remote.del(keys);
  }

  async invalidateTags(tags: string[]): Promise<string[]> {
    if (tags.length === 0) return [];
    const local = await this.local.invalidateTags(tags);
    const remote = await this.remote.invalidateTags(tags);
    await this.remote.publish(this.channel, JSON.stringify({ origin: this.instanceId, tags } satisfies Message));
    return [...new Set([...local, ...remote])];
  }

  ready(timeoutMs: number) {
    return this.remote.ready(timeoutMs);
  }

  async close() {
    await this.remote.close();
    await this.local.close();
  }
}
