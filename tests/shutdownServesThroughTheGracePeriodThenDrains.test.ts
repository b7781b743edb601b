/**
 * SIGTERM in a load balancer's order (issue #17, section 4), on the real
 * command in a child process with NODE_ENV unset: /ready turns 503 at once;
 * for shutdown.readinessGraceMs the gateway keeps answering (with
 * `Connection: close`) while a slow request is still in flight; then it stops
 * accepting, the slow request still completes 200 against the live subgraph,
 * and the process exits 0 right after it. A request slower than
 * shutdown.drainTimeoutMs does not hold the shutdown: it is cut off at the
 * timeout, counted in the log, and the process still exits 0.
 *
 * The products subgraph sits behind a proxy that holds requests of operations
 * named Slow* until the test lets them go.
 */
import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMesh, tokenFor, type TestMesh } from './harness';
import { startGatewayProcess, type GatewayProcess } from './gatewayProcess';
import { ADMIN } from './principals';

type HoldingProxy = { url: string; held: number; release(): void; stop(): Promise<void> };

/** Forwards to `target`; a request whose body names a Slow* operation waits until release(). */
async function startHoldingProxy(target: string): Promise<HoldingProxy> {
  let releases: (() => void)[] = [];
  let released = false;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const forward = () => {
        const to = new URL(target);
        const upstream = httpRequest({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', () => res.writeHead(502).end());
        upstream.end(body);
      };
      if (!released && /query Slow/.test(body.toString())) {
        proxy.held++;
        releases.push(forward);
      } else forward();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: HoldingProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    held: 0,
    release() {
      released = true;
      for (const forward of releases) forward();
      releases = [];
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return proxy;
}

let mesh: TestMesh;
let dir: string;
const gateways: GatewayProcess[] = [];
const proxies: HoldingProxy[] = [];
let headers: Record<string, string>;

beforeAll(async () => {
  mesh = await startMesh();
  dir = mkdtempSync(join(tmpdir(), 'meshgate-drain-'));
  headers = await tokenFor(ADMIN);
}, 60_000);
afterAll(async () => {
  for (const { child } of gateways) if (child.exitCode === null) child.kill('SIGKILL');
  for (const proxy of proxies) await proxy.stop();
  await mesh?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function start(name: string, shutdown: { readinessGraceMs: number; drainTimeoutMs: number }) {
  const proxy = await startHoldingProxy(mesh.subgraphs.products.url);
  proxies.push(proxy);
  const gateway = await startGatewayProcess(dir, name, {
    server: { queryPage: false },
    subgraphs: Object.values(mesh.subgraphs).map(({ name: subgraph, url }) => ({ name: subgraph, url: subgraph === 'products' ? proxy.url : url })),
    subgraphRequests: { signingKey: mesh.signingKey, retries: 0 },
    logging: { level: 'info' },
    audit: { file: join(dir, `${name}.jsonl`) },
    cache: { responseCache: { enabled: false }, entityCache: { enabled: false }, dedupe: { enabled: false } },
    shutdown,
  });
  gateways.push(gateway);
  return { proxy, gateway };
}

const post = async (url: string, query: string) => {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { status: response.status, connection: response.headers.get('connection'), body: (await response.json()) as any };
};
const ready = async (url: string) => {
  const response = await fetch(new URL('/ready', url));
  return { status: response.status, body: (await response.json()) as any };
};
async function until(what: string, check: () => boolean, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const SLOW = 'query SlowProducts { products(first: 2) { totalCount edges { node { id name } } } }';
const FAST = '{ products(first: 1) { totalCount } }';

test('SIGTERM: /ready 503 at once, answers through the grace period, then the slow request in flight completes 200 and the process exits 0', async () => {
  const GRACE_MS = 3000;
  const { proxy, gateway } = await start('grace', { readinessGraceMs: GRACE_MS, drainTimeoutMs: 60_000 });
  expect((await ready(gateway.url)).status).toBe(200);
  const slow = post(gateway.url, SLOW);
  await until('the slow request to reach the products subgraph', () => proxy.held === 1);

  const signalledAt = Date.now();
  gateway.child.kill('SIGTERM');
  let exitedAt = 0;
  void gateway.exited.then(() => (exitedAt = Date.now()));
  // Readiness turns at once, while the slow request is in flight.
  let readiness = await ready(gateway.url);
  while (readiness.status === 200 && Date.now() - signalledAt < 1000) readiness = await ready(gateway.url);
  expect(readiness).toEqual({ status: 503, body: { status: 'draining', reason: 'the gateway is shutting down', subgraphs: {} } });
  // Grace period: new requests are still answered, each telling the client to reconnect.
  const during = await post(gateway.url, FAST);
  expect(Date.now() - signalledAt).toBeLessThan(GRACE_MS);
  expect(during.status).toBe(200);
  expect(during.body.data.products.totalCount).toBeGreaterThan(0);
  expect(during.connection).toBe('close');

  // After the grace period the listener is closed; the slow request is still in flight and the process still runs.
  await new Promise((resolve) => setTimeout(resolve, GRACE_MS - (Date.now() - signalledAt) + 1000));
  await expect(fetch(new URL('/ready', gateway.url))).rejects.toThrow();
  expect(exitedAt).toBe(0);

  proxy.release();
  const answered = await slow;
  expect(answered.status).toBe(200);
  expect(answered.body.errors).toBeUndefined();
  expect(answered.body.data.products.edges).toHaveLength(2);
  expect(await gateway.exited).toBe(0);
  expect(gateway.output()).toContain('every request in flight was answered');
}, 120_000);

test('a request slower than the drain timeout is cut off at the timeout; the process still exits 0', async () => {
  const DRAIN_MS = 1500;
  const { proxy, gateway } = await start('timeout', { readinessGraceMs: 0, drainTimeoutMs: DRAIN_MS });
  const slow = post(gateway.url, SLOW).then(
    (answer) => answer.status,
    () => 'cut off',
  );
  await until('the slow request to reach the products subgraph', () => proxy.held === 1);
  const signalledAt = Date.now();
  gateway.child.kill('SIGTERM');
  expect(await gateway.exited).toBe(0);
  const stoppedInMs = Date.now() - signalledAt;
  expect(stoppedInMs).toBeGreaterThanOrEqual(DRAIN_MS - 100);
  // Generous: the drain timeout plus stopping Apollo and the cache and flushing the audit log on a loaded machine.
  expect(stoppedInMs).toBeLessThan(DRAIN_MS + 15_000);
  expect(await slow).toBe('cut off');
  expect(gateway.output()).toMatch(/"cutOff":1.*requests still in flight at the drain timeout were cut off/);
  proxy.release();
}, 120_000);
