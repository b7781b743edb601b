/**
 * The real `gateway` command (`node --import tsx gateway/src/cli/gateway.ts --supergraph FILE`)
 * as an operator runs it in front of a supergraph it did not compose itself:
 * health before and after load, a federated query, graceful SIGTERM, and a
 * clear failure for a missing supergraph file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { createFederation2Fixtures } from './fixtures/subgraphs';
import { serveSubgraphs, type GraphQLResponseBody, type ServedSubgraphs } from './fixtures/federation';

const REPO = resolve(__dirname, '../..');

type Started = { child: ChildProcess; output: () => string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> };

function startCli(args: string[]): Started {
  // Hermetic: no MESHGATE_* settings from the developer's shell.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('MESHGATE_')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'gateway/src/cli/gateway.ts', ...args], {
    cwd: REPO,
    env: { ...env, NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  return { child, output: () => output, exited };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const { port } = server.address() as { port: number };
  await new Promise((resolveClose) => server.close(resolveClose));
  return port;
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
    }),
  ]);
}

describe('gateway command in front of a supergraph file', () => {
  let subgraphs: ServedSubgraphs;
  let running: Started | undefined;

  beforeAll(async () => {
    subgraphs = await serveSubgraphs(createFederation2Fixtures().subgraphs);
  });
  afterEach(async () => {
    if (running && running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGKILL');
      await running.exited;
    }
    running = undefined;
  });
  afterAll(async () => {
    await subgraphs?.stop();
  });

  test('health goes from unavailable to 200, queries are federated, SIGTERM exits 0 within 10 s', async () => {
    const file = subgraphs.writeSupergraph();
    const port = await freePort();
    running = startCli(['--supergraph', file, '--host', '127.0.0.1', '--port', String(port)]);
    const base = `http://127.0.0.1:${port}`;

    // Poll /health; before the supergraph is loaded it is refused or 503.
    const seen: (number | 'refused')[] = [];
    const deadline = Date.now() + 30_000;
    while (seen.at(-1) !== 200) {
      if (running.child.exitCode !== null) throw new Error(`the gateway exited early (${running.child.exitCode}):\n${running.output()}`);
      if (Date.now() > deadline) throw new Error(`/health never answered 200; saw ${seen.join(', ')}\n${running.output()}`);
      try {
        const response = await fetch(`${base}/health`);
        await response.body?.cancel();
        seen.push(response.status);
      } catch (error) {
        const code = (error as { cause?: { code?: string } }).cause?.code;
        if (code !== 'ECONNREFUSED') throw error;
        seen.push('refused');
      }
      if (seen.at(-1) !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(['refused', 503]).toContain(seen[0]);
    expect(seen.filter((status) => status !== 'refused' && status !== 503 && status !== 200)).toEqual([]);
    expect(seen.at(-1)).toBe(200);

    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ reviews { id product { name inStock } author { email } } }' }),
    });
    const body = (await response.json()) as GraphQLResponseBody;
    expect(body.errors).toBeUndefined();
    expect(response.status).toBe(200);
    expect(body.data).toEqual({
      reviews: [
        { id: 'r1', product: { name: 'Table', inStock: true }, author: { email: 'ada@example.com' } },
        { id: 'r2', product: { name: 'Table', inStock: true }, author: { email: 'grace@example.com' } },
        { id: 'r3', product: { name: 'Couch', inStock: false }, author: { email: 'ada@example.com' } },
      ],
    });
    expect(subgraphs.byName.reviews.received.length).toBeGreaterThan(0);

    // The client's keep-alive connection above must not hold the shutdown.
    running.child.kill('SIGTERM');
    const exit = await within(running.exited, 10_000, 'exit after SIGTERM');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(running.output()).toContain('SIGTERM received');
  });

  test('a supergraph file that does not exist: exits non-zero with a message naming the file', async () => {
    const missing = join(tmpdir(), `meshgate-no-such-supergraph-${process.pid}.graphql`);
    running = startCli(['--supergraph', missing, '--host', '127.0.0.1', '--port', String(await freePort())]);
    const exit = await within(running.exited, 30_000, 'exit for a missing supergraph file');
    expect(exit.code).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(running.output()).toContain(missing);
  });
});
