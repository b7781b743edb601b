/**
 * SIGTERM loses nothing (issue #17, section 4), on the real command in a child
 * process with NODE_ENV unset (the jest suite runs with NODE_ENV=test, where
 * Apollo Server's own signal handler is off and the bug never showed): a burst
 * of requests that produce denials is stopped mid-way; every acknowledged
 * denial has its audit record, no request got a 500, and the exit code is 0.
 * Also with an audit flush interval longer than the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAuditFile, startMesh, tokenFor, type TestMesh } from './harness';
import { ANALYST } from './principals';

const ROOT = join(__dirname, '..');
let mesh: TestMesh;
let dir: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  mesh = await startMesh();
  dir = mkdtempSync(join(tmpdir(), 'meshgate-shutdown-'));
}, 60_000);
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await mesh?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function startGatewayProcess(name: string, audit: Record<string, unknown>) {
  const auditFile = join(dir, `${name}.jsonl`);
  const config = {
    server: { queryPage: false },
    subgraphs: Object.values(mesh.subgraphs).map(({ name: subgraph, url }) => ({ name: subgraph, url })),
    subgraphRequests: { signingKey: mesh.signingKey },
    logging: { level: 'warn' },
    audit: { file: auditFile, ...audit },
    cache: { responseCache: { enabled: false }, entityCache: { enabled: false }, dedupe: { enabled: false } },
  };
  writeFileSync(join(dir, `${name}.json`), JSON.stringify(config));
  const env = { ...process.env };
  delete env.NODE_ENV;
  delete env.MESHGATE_WORKERS;
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'gateway/src/cli/gateway.ts'), '--config', join(dir, `${name}.json`), '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line:\n${output}`)), 60_000);
    child.stdout!.on('data', () => {
      const match = /meshgate listening at (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  return { child, url, auditFile, exited, output: () => output };
}

/** One denial per request (an analyst asking Customer.name), each under its own operation name to find its record. */
async function deny(url: string, headers: Record<string, string>, n: number) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: `query Burst${n} { customer(id: "1") { name segment } }` }),
  });
  const body = (await response.json()) as any;
  return { n, status: response.status, forbidden: response.status === 200 && body.errors?.[0]?.extensions?.code === 'FORBIDDEN' };
}

const auditedOperations = (file: string) => new Set(readAuditFile(file).map((record) => record.operationName));

test('SIGTERM mid-burst: every acknowledged denial is audited, no request gets 500, exit code 0', async () => {
  const gateway = await startGatewayProcess('burst', {});
  const headers = await tokenFor(ANALYST);
  const answers: { n: number; status: number; forbidden: boolean }[] = [];
  let next = 0;
  let signalled = false;
  const loop = async () => {
    while (true) {
      try {
        answers.push(await deny(gateway.url, headers, next++));
      } catch {
        // Refused or reset once the listener closed: never acknowledged.
        if (signalled) return;
      }
    }
  };
  const loops = Array.from({ length: 6 }, loop);
  while (answers.length < 30) await new Promise((resolve) => setTimeout(resolve, 10));
  signalled = true;
  gateway.child.kill('SIGTERM');
  await Promise.all(loops);
  expect(await gateway.exited).toBe(0);
  expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
  const audited = auditedOperations(gateway.auditFile);
  const acknowledged = answers.filter((answer) => answer.forbidden);
  expect(acknowledged.length).toBeGreaterThanOrEqual(30);
  expect(acknowledged.filter((answer) => !audited.has(`Burst${answer.n}`))).toEqual([]);
}, 120_000);

test('with a long audit flush interval, SIGTERM still writes every record', async () => {
  const gateway = await startGatewayProcess('long-flush', { flushIntervalMs: 60_000 });
  const headers = await tokenFor(ANALYST);
  const answers = await Promise.all([0, 1, 2, 3, 4].map((n) => deny(gateway.url, headers, n)));
  expect(answers.every((answer) => answer.forbidden)).toBe(true);
  gateway.child.kill('SIGTERM');
  expect(await gateway.exited).toBe(0);
  expect([...auditedOperations(gateway.auditFile)].sort()).toEqual(['Burst0', 'Burst1', 'Burst2', 'Burst3', 'Burst4']);
}, 120_000);
