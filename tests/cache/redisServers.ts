/**
 * Real Redis servers for the cache tests: `startRedisServer()` runs its own
 * redis-server (no persistence) on a free port in a temporary directory, and
 * can stop, restart, pause (SIGSTOP: a Redis that hangs) and resume it;
 * `startRedisCluster()` runs three masters with cluster mode on and joins them
 * with `redis-cli --cluster create`. Everything is removed by `dispose()`, and
 * any server still running when the test process exits is killed.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A free port whose cluster bus port (port + 10000) is free too. */
async function freeClusterPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if ((await isFree(port)) && (await isFree(port + 10_000))) return port;
  }
  throw new Error('no free port pair for a cluster node');
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** True when something on the port answers PING with PONG. */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(300, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export type RedisServer = {
  port: number;
  url: string;
  /** Stops the server (SIGTERM, nothing saved) and waits until it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  /** SIGSTOP: the server keeps its connections but answers nothing. */
  pause(): void;
  resume(): void;
  dispose(): Promise<void>;
};

export async function startRedisServer(options: { cluster?: boolean; port?: number } = {}): Promise<RedisServer> {
  const port = options.port ?? (options.cluster ? await freeClusterPort() : await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'meshgate-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'no', '--loglevel', 'warning'];
  if (options.cluster) args.push('--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-node-timeout', '15000');
  let child: ChildProcess | undefined;

  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    live.add(child);
    child.once('exit', () => live.delete(child!));
    await waitFor(`redis-server on port ${port}`, () => pong(port));
  };
  const stop = async () => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGCONT');
    current.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    start,
    stop,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type RedisCluster = { nodes: string[]; servers: RedisServer[]; dispose(): Promise<void> };

/** Three masters, no replicas, every slot assigned; resolves once every node reports cluster_state:ok. */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const servers = await Promise.all(Array.from({ length: masters }, () => startRedisServer({ cluster: true })));
  const nodes = servers.map((server) => `127.0.0.1:${server.port}`);
  try {
    await run('redis-cli', ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    for (const server of servers) {
      await waitFor(
        `cluster state ok on ${server.port}`,
        async () => (await run('redis-cli', ['-p', String(server.port), 'cluster', 'info'])).stdout.includes('cluster_state:ok'),
        30_000,
      ).catch(async (error) => {
        const { stdout } = await run('redis-cli', ['-p', String(server.port), 'cluster', 'nodes']).catch(() => ({ stdout: '(no answer)' }));
        throw new Error(`${(error as Error).message}; cluster nodes:\n${stdout}`);
      });
    }
  } catch (error) {
    await Promise.all(servers.map((server) => server.dispose()));
    throw error;
  }
  return { nodes, servers, dispose: async () => void (await Promise.all(servers.map((server) => server.dispose()))) };
}
