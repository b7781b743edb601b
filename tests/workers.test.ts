/**
 * `server.workers`: the gateway command as several processes on one port.
 * Both workers answer (new connections are spread over them), /metrics adds
 * up every worker's counters whichever worker serves it, and SIGTERM stops
 * them all with exit code 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ANALYST } from './principals';

const ROOT = join(__dirname, '..');
let mesh: TestMesh;
let dir: string;
let child: ChildProcess;
let output = '';

beforeAll(async () => {
  mesh = await startMesh();
  dir = mkdtempSync(join(tmpdir(), 'meshgate-workers-'));
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await mesh?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** One request on a connection of its own, so that the primary hands it to the next worker. */
function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Each worker keeps its own in-process cache: the counts below rely on it. */
function withoutRedis(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  delete env.REDIS_URL;
  delete env.MESHGATE_REDIS_CLUSTER_NODES;
  delete env.MESHGATE_WORKERS;
  return env;
}

const metric = (text: string, line: string) => Number(text.split('\n').find((candidate) => candidate.startsWith(`${line} `))?.split(' ')[1] ?? NaN);

test('two workers serve one port, /metrics adds up both, SIGTERM stops them all', async () => {
  const config = {
    server: { workers: 2, queryPage: false },
    subgraphs: Object.values(mesh.subgraphs).map(({ name, url }) => ({ name, url })),
    subgraphRequests: { signingKey: mesh.signingKey },
    logging: { level: 'warn' },
    audit: { file: join(dir, 'audit.jsonl') },
    cache: { keyPrefix: 'workers-test' },
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'gateway/src/cli/gateway.ts'), '--config', join(dir, 'config.json'), '--port', '0'], {
    cwd: ROOT,
    env: withoutRedis({ ...process.env, NODE_ENV: 'development' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line:\n${output}`)), 60_000);
    const check = () => {
      const match = /meshgate listening at (\S+) \(2 worker processes\)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });

  const headers = await tokenFor(ANALYST);
  const body = JSON.stringify({ query: '{ orders(first: 5) { edges { node { id total customer { segment } } } } }' });
  const answers = [];
  for (let i = 0; i < 20; i++) answers.push(await post(url, headers, body));
  for (const answer of answers) {
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(answers[0].text);
  }

  const metricsUrl = url.replace(/\/graphql$/, '/metrics');
  for (let i = 0; i < 2; i++) {
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) =>
      request(metricsUrl, { agent: false }, (res) => {
        let collected = '';
        res.on('data', (chunk) => (collected += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: collected }));
      })
        .on('error', reject)
        .end(),
    );
    expect(status).toBe(200);
    const hits = metric(text, 'meshgate_cache_hits_total{layer="response",subgraph=""}');
    const misses = metric(text, 'meshgate_cache_misses_total{layer="response",subgraph=""}');
    // Every request was one hit or one miss in the worker that took it; each worker missed its first.
    expect(hits + misses).toBe(20);
    expect(misses).toBe(2);
  }

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(output).toMatch(/SIGTERM received: stopping 2 workers/);
}, 120_000);
