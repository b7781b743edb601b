/**
 * Issue #4: the same cache behaviour suite against every backend, in front of
 * one set of real subgraphs: the in-process LRU (no REDIS_URL), a real Redis
 * node, and a real Redis Cluster of three masters (started with redis-server
 * and joined with redis-cli --cluster create). The stores themselves also pass
 * one store-level suite (time to live, tags, bounds).
 */
import type { RunningGateway } from '../../gateway/src';
import { MemoryStore } from '../../gateway/src/cache/MemoryStore';
import { RedisClusterStore, RedisStore } from '../../gateway/src/cache/RedisStore';
import type { CacheStore, CacheWrite } from '../../gateway/src/cache/store';
import { startExtraGateway, startMesh, type TestMesh } from '../harness';
import { domains } from '../../subgraphs';
import { cacheBehaviour, withSlowFetches } from './behaviour';
import { startRedisCluster, startRedisServer, type RedisCluster, type RedisServer } from './redisServers';

let mesh: TestMesh;
let redis: RedisServer;
let cluster: RedisCluster;
const gateways: Record<string, RunningGateway> = {};
const BACKENDS = ['memory', 'redis', 'cluster'] as const;

beforeAll(async () => {
  [mesh, redis, cluster] = await Promise.all([startMesh({ domains: withSlowFetches(domains) }), startRedisServer(), startRedisCluster()]);
  // Local copies off, so every hit below comes from Redis itself (they are tested with two instances).
  const caches = {
    memory: { keyPrefix: 'behaviour-memory' },
    redis: { keyPrefix: 'behaviour-redis', redisUrl: redis.url, redis: { localTtlSec: 0 } },
    cluster: { keyPrefix: 'behaviour-cluster', cluster: { nodes: cluster.nodes }, redis: { localTtlSec: 0 } },
  };
  for (const backend of BACKENDS) gateways[backend] = await startExtraGateway(mesh, { cache: caches[backend] });
}, 120_000);

afterAll(async () => {
  await Promise.all(Object.values(gateways).map((gateway) => gateway.stop()));
  await mesh?.stop();
  await Promise.all([redis?.dispose(), cluster?.dispose()]);
});

describe.each(BACKENDS.map((backend, index) => [backend, index] as const))('%s', (backend, index) => {
  cacheBehaviour(() => ({ mesh, gateway: gateways[backend], backend, index }));
});

describe.each(BACKENDS)('store contract: %s', (backend) => {
  let store: CacheStore;
  const options = { keyPrefix: `store-${backend}`, commandTimeoutMs: 500, connectTimeoutMs: 2000, maxPendingWrites: 100, maxPendingInvalidations: 100 };
  beforeAll(async () => {
    if (backend === 'memory') store = new MemoryStore({ maxBytes: 1 << 20, maxEntries: 1000 });
    else if (backend === 'redis') store = RedisStore.connect(redis.url, options);
    else store = RedisClusterStore.connectCluster(cluster.nodes, options);
    expect(await store.ready(5000)).toBe(true);
  });
  afterAll(() => store?.close());

  const write = (key: string, value: unknown, ttlMs: number, tags: string[] = []): CacheWrite => ({
    key: `store-${backend}:${key}`,
    json: JSON.stringify(value),
    expiresAt: Date.now() + ttlMs,
    scope: 'PUBLIC',
    tags,
  });
  const keys = (...names: string[]) => names.map((name) => `store-${backend}:${name}`);

  test('get returns what set stored, in order, a fresh copy each time, until it expires', async () => {
    await store.set([write('a', { n: 1 }, 60_000), write('b', [1, 2], 300)]);
    const [a, missing, b] = await store.get(keys('a', 'nothing', 'b'));
    expect([a?.value, missing, b?.value]).toEqual([{ n: 1 }, undefined, [1, 2]]);
    (a!.value as { n: number }).n = 2;
    expect((await store.get(keys('a')))[0]?.value).toEqual({ n: 1 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await store.get(keys('b')))[0]).toBeUndefined();
  });

  test('invalidating a tag removes every entry with it and only those', async () => {
    await store.set([write('x1', 1, 60_000, ['e:Order:{"id":"1"}', 't:Order']), write('x2', 2, 60_000, ['t:Order']), write('x3', 3, 60_000, ['t:Customer'])]);
    expect((await store.invalidateTags(['e:Order:{"id":"1"}'])).sort()).toEqual(keys('x1'));
    expect((await store.get(keys('x1', 'x2', 'x3'))).map((record) => record?.value)).toEqual([undefined, 2, 3]);
    expect(await store.invalidateTags(['t:Order', 't:Nothing'])).toEqual(keys('x2'));
    expect((await store.get(keys('x2', 'x3'))).map((record) => record?.value)).toEqual([undefined, 3]);
    await store.del(keys('x3'));
    expect((await store.get(keys('x3')))[0]).toBeUndefined();
  });
});
