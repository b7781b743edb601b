/**
 * The Redis stores (ioredis): RedisStore for a single node, RedisClusterStore
 * for a Redis Cluster. Same contract as every store (store.ts); what they add:
 *
 * - bounded latency: a read that takes longer than `commandTimeoutMs` reads as
 *   a miss, the offline queue is off (a command while disconnected fails at
 *   once instead of waiting), and after 3 failures in a row Redis is skipped
 *   for a second; a request never waits longer than one timeout per cache
 *   step. Background writes get ten times as long (at least a second): they
 *   hold no request, and a write lost to a short timeout is a lost hit;
 * - reconnection by itself, forever, with a backoff capped at half a second;
 * - background writes bounded by `maxPendingWrites` (excess writes are dropped
 *   and counted); invalidations that fail while Redis is away are kept (up to
 *   `maxPendingInvalidations` tags) and replayed on reconnect;
 * - tags as sorted sets `<prefix>:tag:<hash>` of member keys scored by their
 *   expiry: each write prunes expired members and extends the set's own expiry,
 *   so a tag set never outlives or outgrows the entries it names. Each script
 *   touches one key, which keeps it valid in a cluster.
 */
import { Cluster, Redis } from 'ioredis';
import { hashOf } from './keys';
import { decodeRecord, encodeWrite, type CacheRecord, type CacheStore, type CacheWrite, type StoreBackend, type StoreEvents } from './store';

export type RedisStoreOptions = {
  keyPrefix: string;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  maxPendingWrites: number;
  maxPendingInvalidations: number;
  events?: StoreEvents;
};

type Client = Redis | Cluster;
type ScriptClient = {
  /** mgTag(numberOfTagKeys, ...tagKeys, member, expiresAt, now) */
  mgTag(...args: (string | number)[]): Promise<unknown>;
  mgTag1(tagKey: string, member: string, expiresAt: number, now: number): Promise<unknown>;
  mgTake(key: string): Promise<string[]>;
};

// Adds the member to each tag set, prunes expired members, and keeps each set alive as long as its longest entry.
const TAG_SCRIPT = `
local want = tonumber(ARGV[2]) - tonumber(ARGV[3])
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, ARGV[2], ARGV[1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[3])
  if redis.call('PTTL', key) < want then redis.call('PEXPIRE', key, want) end
end
return #KEYS`;

const TAKE_SCRIPT = `
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
redis.call('DEL', KEYS[1])
return members`;

const BREAKER_FAILURES = 3;
const BREAKER_OPEN_MS = 1000;
const CHUNK = 500;

const reconnectDelay = (times: number) => Math.min(50 * times, 500);
/** The client-side bound of every command (background writes included); reads are bounded tighter. */
const hardTimeout = (options: RedisStoreOptions) => Math.max(1000, 10 * options.commandTimeoutMs);

class ReadTimeout extends Error {
  constructor(ms: number) {
    super(`Redis read timed out after ${ms} ms`);
  }
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new ReadTimeout(ms)), ms)))]).finally(() => clearTimeout(timer));
}

export class RedisStore implements CacheStore {
  readonly backend: StoreBackend = 'redis';
  private failures = 0;
  private openUntil = 0;
  private pendingWrites = 0;
  private readonly pendingInvalidations = new Set<string>();
  private up = false;
  private subscriber?: Client;
  private closed = false;

  /** A single Redis node, from a redis:// or rediss:// URL. */
  static connect(url: string, options: RedisStoreOptions): RedisStore {
    const client = new Redis(url, {
      commandTimeout: hardTimeout(options),
      connectTimeout: options.connectTimeoutMs,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: reconnectDelay,
      enableAutoPipelining: true,
    });
    return new RedisStore(client, options);
  }

  protected constructor(protected readonly client: Client, protected readonly options: RedisStoreOptions) {
    client.defineCommand('mgTag', { lua: TAG_SCRIPT });
    // With the key count fixed, ioredis knows the key, and so the slot (cluster) and the pipeline it belongs to.
    client.defineCommand('mgTag1', { numberOfKeys: 1, lua: TAG_SCRIPT });
    client.defineCommand('mgTake', { numberOfKeys: 1, lua: TAKE_SCRIPT });
    client.on('error', (error: unknown) => this.options.events?.error?.(this.backend, 'connection', error));
    client.on('ready', () => this.setUp(true));
    client.on('close', () => this.setUp(false));
  }

  private setUp(up: boolean) {
    if (this.up === up || this.closed) return;
    this.up = up;
    this.options.events?.availability?.(this.backend, up);
    if (up) void this.replayInvalidations();
  }

  private get scripts(): ScriptClient {
    return this.client as unknown as ScriptClient;
  }

  private available(): boolean {
    return this.client.status === 'ready' && Date.now() >= this.openUntil;
  }

  /** Runs a command; a failure counts towards the breaker and reads as undefined. */
  private async attempt<T>(operation: string, run: () => Promise<T>): Promise<T | undefined> {
    if (!this.available()) return undefined;
    try {
      const result = await run();
      this.failures = 0;
      return result;
    } catch (error) {
      if (++this.failures >= BREAKER_FAILURES) this.openUntil = Date.now() + BREAKER_OPEN_MS;
      this.options.events?.error?.(this.backend, operation, error);
      return undefined;
    }
  }

  protected readRaw(keys: string[]): Promise<(string | null)[]> {
    return (this.client as Redis).mget(keys);
  }

  /** Deletes key by key (auto-pipelined; in a cluster each key may live on another node); resolves with the keys that existed. */
  private async deleteKeys(keys: string[]): Promise<string[]> {
    const deleted: string[] = [];
    for (let i = 0; i < keys.length; i += CHUNK) {
      const chunk = keys.slice(i, i + CHUNK);
      const counts = await Promise.all(chunk.map((key) => this.client.unlink(key)));
      chunk.forEach((key, j) => counts[j] > 0 && deleted.push(key));
    }
    return deleted;
  }

  async get(keys: string[]): Promise<(CacheRecord | undefined)[]> {
    const texts = await this.getTexts(keys);
    const now = Date.now();
    return texts.map((text) => decodeRecord(text, now));
  }

  /** The stored texts (null where missing, or when Redis could not answer). */
  async getTexts(keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    return (await this.attempt('get', () => within(this.readRaw(keys), this.options.commandTimeoutMs))) ?? keys.map(() => null);
  }

  async set(writes: CacheWrite[]): Promise<void> {
    if (writes.length === 0 || !this.available()) return;
    if (this.pendingWrites >= this.options.maxPendingWrites) {
      this.options.events?.dropped?.(this.backend);
      return;
    }
    this.pendingWrites++;
    try {
      const now = Date.now();
      await this.attempt('set', () =>
        Promise.all(
          writes.flatMap((write) => {
            const ttlMs = write.expiresAt - now;
            if (ttlMs <= 0) return [];
            return [this.client.set(write.key, encodeWrite(write), 'PX', ttlMs), ...this.tagWrites(write.tags.map((tag) => this.tagKey(tag)), write.key, write.expiresAt, now)];
          }),
        ),
      );
    } finally {
      this.pendingWrites--;
    }
  }

  /** One script call for all of an entry's tags (a single node holds every key). */
  protected tagWrites(tagKeys: string[], member: string, expiresAt: number, now: number): Promise<unknown>[] {
    return tagKeys.length ? [this.scripts.mgTag(tagKeys.length, ...tagKeys, member, expiresAt, now)] : [];
  }

  async del(keys: string[]): Promise<void> {
    if (keys.length) await this.attempt('del', () => this.deleteKeys(keys));
  }

  async invalidateTags(tags: string[]): Promise<string[]> {
    if (tags.length === 0) return [];
    const removed = await this.attempt('invalidate', async () => {
      const members = (await Promise.all(tags.map((tag) => this.scripts.mgTake(this.tagKey(tag))))).flat();
      return this.deleteKeys([...new Set(members)]);
    });
    if (removed === undefined) this.keepForReplay(tags);
    return removed ?? [];
  }

  private keepForReplay(tags: string[]) {
    for (const tag of tags) {
      if (this.pendingInvalidations.size >= this.options.maxPendingInvalidations) {
        this.options.events?.dropped?.(this.backend);
        return;
      }
      this.pendingInvalidations.add(tag);
    }
  }

  private async replayInvalidations() {
    if (this.pendingInvalidations.size === 0) return;
    const tags = [...this.pendingInvalidations];
    this.pendingInvalidations.clear();
    await this.invalidateTags(tags);
  }

  private tagKey(tag: string) {
    return `${this.options.keyPrefix}:tag:${hashOf(tag)}`;
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.attempt('publish', () => this.client.publish(channel, message));
  }

  /** Listens on a channel through a second connection that resubscribes after every reconnect. */
  subscribe(channel: string, onMessage: (message: string) => void): void {
    const subscriber = this.duplicateForSubscriber();
    this.subscriber = subscriber;
    subscriber.on('error', (error: unknown) => this.options.events?.error?.(this.backend, 'subscriber', error));
    subscriber.on('message', (received: string, message: string) => {
      if (received === channel) onMessage(message);
    });
    // Not awaited: with Redis away, the subscription waits for the connection, and the gateway must not.
    subscriber.subscribe(channel).catch((error: unknown) => this.options.events?.error?.(this.backend, 'subscribe', error));
  }

  protected duplicateForSubscriber(): Client {
    return (this.client as Redis).duplicate({ enableOfflineQueue: true, commandTimeout: undefined, enableAutoPipelining: false });
  }

  async ready(timeoutMs: number): Promise<boolean> {
    if (this.client.status === 'ready') return true;
    return new Promise<boolean>((resolve) => {
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.client.off('ready', onReady);
        resolve(value);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.client.on('ready', onReady);
    });
  }

  /** Pending writes in flight, for tests and metrics. */
  get inFlightWrites() {
    return this.pendingWrites;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.subscriber?.disconnect();
    this.client.disconnect();
  }
}

/** A Redis Cluster: keys spread over slots, so reads go key by key (auto-pipelined per node). */
export class RedisClusterStore extends RedisStore {
  readonly backend: StoreBackend = 'redis-cluster';

  static connectCluster(nodes: string[], options: RedisStoreOptions): RedisClusterStore {
    const client = new Cluster(
      nodes.map((node) => {
        const [host, port] = node.split(':');
        return { host, port: Number(port) };
      }),
      {
        enableOfflineQueue: false,
        enableAutoPipelining: true,
        clusterRetryStrategy: reconnectDelay,
        slotsRefreshTimeout: options.connectTimeoutMs,
        redisOptions: {
          commandTimeout: hardTimeout(options),
          connectTimeout: options.connectTimeoutMs,
          maxRetriesPerRequest: 0,
          autoResendUnfulfilledCommands: false,
        },
      },
    );
    return new RedisClusterStore(client, options);
  }

  protected readRaw(keys: string[]): Promise<(string | null)[]> {
    return Promise.all(keys.map((key) => this.client.get(key)));
  }

  /** Tag sets live in different slots: one script call per tag (auto-pipelined per node). */
  protected tagWrites(tagKeys: string[], member: string, expiresAt: number, now: number): Promise<unknown>[] {
    return tagKeys.map((tagKey) => (this.client as unknown as ScriptClient).mgTag1(tagKey, member, expiresAt, now));
  }

  protected duplicateForSubscriber(): Cluster {
    return (this.client as Cluster).duplicate(undefined, { enableOfflineQueue: true, enableAutoPipelining: false });
  }
}
