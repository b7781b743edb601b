/**
 * Issue #4, Redis in operation: several gateway processes sharing one Redis see
 * each other's invalidations (pub/sub drops their local copies), and a Redis
 * that stops, restarts or hangs under load costs no request: answers come
 * without the cache, within a bounded time, and hits resume by themselves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningGateway } from '../../gateway/src';
import { queryGateway, startExtraGateway, startMesh, tokenFor, type GraphQLBody, type TestMesh } from '../harness';
import { ANALYST, ORDER_SERVICE } from '../principals';
import { freePort, startRedisServer, type RedisServer } from './redisServers';

const ROOT = join(__dirname, '..', '..');
const STATUS = { 'meshgate-cache-status': '1' };
const statusOf = (body: GraphQLBody) => body.extensions?.cache?.response as string | undefined;

type GatewayProcess = { url: string; stop(): Promise<void> };

/** The processes get their Redis from their config file only. */
function withoutRedisUrl(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  delete env.REDIS_URL;
  delete env.MESHGATE_REDIS_CLUSTER_NODES;
  return env;
}

/** `npm run gateway` as its own process, with a config file. */
async function startGatewayProcess(config: Record<string, unknown>, dir: string, name: string): Promise<GatewayProcess> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'gateway/src/cli/gateway.ts'), '--config', file, '--port', '0'], {
    cwd: ROOT,
    env: withoutRedisUrl({ ...process.env, NODE_ENV: 'development' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway ${name} did not start:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /meshgate listening at (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`gateway ${name} exited with ${code}:\n${output}`)));
  }).catch((error) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const metricValue = async (url: string, line: string) => {
  const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
  return Number(text.split('\n').find((candidate) => candidate.startsWith(`${line} `))?.split(' ')[1] ?? 0);
};

async function eventually<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let mesh: TestMesh;
let redis: RedisServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'meshgate-instances-'));
  [mesh, redis] = await Promise.all([startMesh(), startRedisServer()]);
}, 120_000);

afterAll(async () => {
  await mesh?.stop();
  await redis?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('two gateway processes sharing one Redis', () => {
  const processes: GatewayProcess[] = [];
  afterAll(() => Promise.all(processes.map((gateway) => gateway.stop())));

  test("they share cached answers and see each other's invalidations, local copies included", async () => {
    const config = (name: string) => ({
      subgraphs: Object.values(mesh.subgraphs).map(({ name: subgraph, url }) => ({ name: subgraph, url })),
      subgraphRequests: { signingKey: mesh.signingKey },
      logging: { level: 'warn' },
      audit: { file: join(dir, `${name}-audit.jsonl`) },
      // Local copies live a minute: only the pub/sub invalidation can drop them in time.
      cache: { redisUrl: redis.url, keyPrefix: 'two-instances', redis: { localTtlSec: 60 } },
    });
    const started = await Promise.allSettled([startGatewayProcess(config('a'), dir, 'a'), startGatewayProcess(config('b'), dir, 'b')]);
    for (const result of started) if (result.status === 'fulfilled') processes.push(result.value);
    for (const result of started) if (result.status === 'rejected') throw result.reason;
    const [a, b] = processes;
    const [id] = (await mesh.db.query<{ id: number }>(`SELECT id FROM sales.orders WHERE status = 'DELIVERED' ORDER BY id DESC LIMIT 1`)).map((row) => String(row.id));
    const service = { ...(await tokenFor(ORDER_SERVICE)), ...STATUS };
    const query = `{ order(id: "${id}") { id status customer { segment } } }`;
    const read = async (gateway: GatewayProcess) => (await queryGateway(gateway.url, query, undefined, service)).body;

    expect(statusOf(await read(a))).toBe('MISS');
    expect(statusOf(await read(a))).toBe('HIT');
    // Written by a, served to b from Redis (and now held by b as a local copy too).
    expect(statusOf(await read(b))).toBe('HIT');

    // A mutation through b: a's local copy must go, through pub/sub, within moments.
    const mutation = await queryGateway(b.url, `mutation { updateOrderStatus(id: "${id}", status: RETURNED) { id status } }`, undefined, service);
    expect(mutation.body.data).toEqual({ updateOrderStatus: { id, status: 'RETURNED' } });
    const fresh = await eventually('a after b invalidated', () => read(a), (body) => body.data.order.status === 'RETURNED', 2000);
    expect(statusOf(fresh)).toBe('MISS');
    expect(await metricValue(a.url, 'meshgate_cache_invalidations_total{source="remote"}')).toBeGreaterThanOrEqual(1);

    // The endpoint on a drops b's local copy.
    expect(statusOf(await read(b))).toBe('HIT');
    const response = await fetch(a.url.replace(/\/graphql$/, '/cache/invalidate'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await tokenFor({ sub: 'sales-team', roles: ['domain-team'], domains: ['sales'] })) },
      body: JSON.stringify({ types: ['Order'] }),
    });
    expect(response.status).toBe(200);
    await eventually('b after a invalidated Order', async () => statusOf(await read(b)), (status) => status === 'MISS', 2000);
  }, 90_000);
});

describe('Redis stopped, restarted and hanging under load', () => {
  let gateway: RunningGateway;
  beforeAll(async () => {
    // No local copies: every hit below comes from Redis, so the phases show exactly when Redis serves.
    gateway = await startExtraGateway(mesh, { cache: { redisUrl: redis.url, keyPrefix: 'outage', redis: { localTtlSec: 0, commandTimeoutMs: 100 } } });
  });
  afterAll(() => gateway?.stop());

  test('zero failed requests; bounded latency without Redis; the gateway reconnects and hits resume', async () => {
    const analyst = { ...(await tokenFor(ANALYST)), ...STATUS };
    const queries = [
      { query: '{ products(first: 5) { edges { node { name price } } } }', headers: STATUS },
      { query: '{ orders(first: 5) { edges { node { id total customer { segment } } } } }', headers: analyst },
      { query: '{ customers(first: 5) { totalCount edges { node { id segment } } } }', headers: analyst },
    ];
    type Sample = { at: number; ms: number; ok: boolean; status?: string; phase: string };
    const samples: Sample[] = [];
    let phase = 'warm';
    let running = true;
    const worker = async (offset: number) => {
      for (let i = offset; running; i++) {
        const { query, headers } = queries[i % queries.length];
        const started = Date.now();
        const currentPhase = phase;
        let ok = false;
        let status: string | undefined;
        try {
          const response = await queryGateway(gateway.url, query, undefined, headers);
          ok = response.status === 200 && !response.body.errors && Boolean(response.body.data);
          status = statusOf(response.body);
        } catch {
          ok = false;
        }
        samples.push({ at: started, ms: Date.now() - started, ok, status, phase: currentPhase });
      }
    };
    const workers = [0, 1, 2, 3].map(worker);
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const hitsIn = (name: string) => samples.filter((sample) => sample.phase === name && sample.status === 'HIT').length;
    try {
      await sleep(1000);
      phase = 'stopping';
      await redis.stop();
      phase = 'stopped';
      await sleep(1500);
      phase = 'restarting';
      await redis.start();
      phase = 'restarted';
      await eventually('hits after the restart', async () => hitsIn('restarted'), (hits) => hits >= 3, 10_000);
      phase = 'hanging';
      redis.pause();
      await sleep(1500);
      phase = 'resumed';
      redis.resume();
      await eventually('hits after the hang', async () => hitsIn('resumed'), (hits) => hits >= 3, 10_000);
    } finally {
      running = false;
      redis.resume();
      await Promise.all(workers);
    }

    const failed = samples.filter((sample) => !sample.ok);
    expect(failed).toEqual([]);
    expect(hitsIn('warm')).toBeGreaterThan(0);
    for (const down of ['stopped', 'hanging']) {
      const during = samples.filter((sample) => sample.phase === down);
      expect(during.length).toBeGreaterThan(5);
      // Answered without the cache, and never slower than a few Redis timeouts.
      expect(Math.max(...during.map((sample) => sample.ms))).toBeLessThan(1500);
    }
    // Without Redis (and without local copies) nothing is served from the cache; concurrent identical requests still share one execution.
    expect(new Set(samples.filter((sample) => sample.phase === 'stopped').map((sample) => sample.status))).toEqual(new Set(['MISS', 'DEDUPED']));
    expect(await metricValue(gateway.url, 'meshgate_cache_backend_errors_total{backend="redis",operation="get"}')).toBeGreaterThan(0);
    expect(await metricValue(gateway.url, 'meshgate_cache_backend_up{backend="redis"}')).toBe(1);
  }, 60_000);
});

test('a gateway starts and serves while Redis is unreachable, and uses it once it is there', async () => {
  const port = await freePort();
  const started = Date.now();
  const gateway = await startExtraGateway(mesh, { cache: { redisUrl: `redis://127.0.0.1:${port}`, keyPrefix: 'late', redis: { connectTimeoutMs: 500, localTtlSec: 0 } } });
  let late: RedisServer | undefined;
  try {
    expect(Date.now() - started).toBeLessThan(5000);
    const query = '{ products(first: 2) { edges { node { name } } } }';
    const read = async () => (await queryGateway(gateway.url, query, undefined, STATUS)).body;
    for (let i = 0; i < 2; i++) expect(statusOf(await read())).toBe('MISS');
    late = await startRedisServer({ port });
    // Reconnected by itself: an answer is written, then served.
    await eventually('a hit once Redis is there', async () => statusOf(await read()), (status) => status === 'HIT', 10_000);
  } finally {
    await gateway.stop();
    await late?.dispose();
  }
}, 30_000);
