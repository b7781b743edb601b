/** The cache section of the config: defaults, switches, and errors that name the key (issue #4). */
import { ConfigError } from '../configError';
import { loadConfig, parseConfig } from '../config';

const subgraphs = [{ name: 'sales', url: 'http://127.0.0.1:4003/graphql' }];

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

test('by default every layer is on, in process, with bounded memory and a short Redis timeout', () => {
  const { cache } = parseConfig({ subgraphs });
  expect(cache).toMatchObject({
    responseCache: { enabled: true },
    entityCache: { enabled: true },
    dedupe: { enabled: true },
    defaultTtlSec: 30,
    maxTtlSec: 3600,
    memory: { maxBytes: 64 * 1024 * 1024, maxEntries: 100_000 },
    redis: { commandTimeoutMs: 100, maxPendingWrites: 1000, localTtlSec: 5 },
    perPrincipalSubgraphs: [],
  });
  expect(cache.redisUrl).toBeUndefined();
  expect(cache.cluster).toBeUndefined();
});

test('bad cache keys are named with what was expected and what was given', () => {
  expect(problemsOf(() => parseConfig({ subgraphs, cache: { responseCache: { enable: true } } }))).toEqual(['cache.responseCache.enable: unknown key']);
  expect(problemsOf(() => parseConfig({ subgraphs, cache: { redisUrl: 'http://cache:6379' } }))[0]).toMatch(/^cache\.redisUrl: /);
  expect(problemsOf(() => parseConfig({ subgraphs, cache: { redis: { commandTimeoutMs: 'fast' } } }))[0]).toMatch(/^cache\.redis\.commandTimeoutMs: .*number.*string/i);
  expect(problemsOf(() => parseConfig({ subgraphs, cache: { cluster: { nodes: ['redis-1'] } } }))[0]).toMatch(/^cache\.cluster\.nodes\.0: .*host:port/);
  expect(problemsOf(() => parseConfig({ subgraphs, cache: { redisUrl: 'redis://a:6379', cluster: { nodes: ['b:6379'] } } }))).toEqual([
    'cache.cluster: give either cache.redisUrl or cache.cluster, not both',
  ]);
});

test('REDIS_URL, the cluster nodes and each layer switch come from the environment', () => {
  const env = {
    REDIS_URL: 'redis://127.0.0.1:6380/2',
    MESHGATE_CACHE_RESPONSE: 'false',
    MESHGATE_CACHE_ENTITY: 'true',
    MESHGATE_CACHE_DEDUPE: '0',
    MESHGATE_CACHE_DEFAULT_TTL_SEC: '10',
  };
  const { cache } = loadConfig({ env, defaults: { subgraphs } });
  expect(cache).toMatchObject({ redisUrl: 'redis://127.0.0.1:6380/2', responseCache: { enabled: false }, entityCache: { enabled: true }, dedupe: { enabled: false }, defaultTtlSec: 10 });
  const clustered = loadConfig({ env: { MESHGATE_REDIS_CLUSTER_NODES: '10.0.0.1:7000, 10.0.0.2:7000' }, defaults: { subgraphs } });
  expect(clustered.cache.cluster).toEqual({ nodes: ['10.0.0.1:7000', '10.0.0.2:7000'] });
  expect(problemsOf(() => loadConfig({ env: { MESHGATE_CACHE_RESPONSE: 'maybe' }, defaults: { subgraphs } }))).toEqual([
    'MESHGATE_CACHE_RESPONSE: expected true or false, got "maybe"',
  ]);
});
