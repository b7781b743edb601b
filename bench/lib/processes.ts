/**
 * Child processes of the benchmark: the embedded database, the six subgraphs and
 * each gateway run as processes of their own, so the load generator (this
 * process) never shares an event loop with what it measures and every gateway's
 * memory and CPU can be read from /proc.
 *
 * Contract: a child is ready when a line of its output matches `ready` (its
 * first capture group is returned, typically the URL it listens at); a child
 * that exits or stays silent before that fails the start with its last output.
 * stop() sends SIGTERM, then SIGKILL after a grace period, and only ever to the
 * process it started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');

export type BenchProcess = {
  label: string;
  pid: number;
  /** The first capture group of the ready line. */
  ready: string;
  /** Last lines the process printed, for error messages. */
  tail(): string;
  stop(): Promise<void>;
};

const running = new Set<BenchProcess>();

/** The environment children get: ours without NODE_ENV, so every child runs in development mode. */
export function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_ENV;
  return env;
}

/**
 * For gateways: also without the MESHGATE_* settings and REDIS_URL, which would
 * override what a configuration's file says (secrets and the signing keys stay).
 */
export function gatewayEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env = childEnv();
  for (const key of Object.keys(env)) {
    if ((key.startsWith('MESHGATE_') && !key.endsWith('_SECRET') && !key.startsWith('MESHGATE_SIGNING_')) || key === 'REDIS_URL') delete env[key];
  }
  return { ...env, ...extra };
}

/** Starts `node [nodeArgs] dist/<script>.js ...args` (or the script itself through tsx) from the repository root and waits for its ready line. */
export function startProcess(options: {
  label: string;
  script: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  ready: RegExp;
  timeoutMs?: number;
  /** Echo the child's output (prefixed with its label) while it runs. */
  echo?: boolean;
  /** Options for node itself (e.g. --cpu-prof), before the script. */
  nodeArgs?: string[];
  /** Run the script's compiled build (dist/, from `npm run build`), as production does, instead of the TypeScript through tsx. */
  compiled?: boolean;
}): Promise<BenchProcess> {
  const entry = options.compiled ? [join(ROOT, 'dist', options.script.replace(/\.ts$/, '.js'))] : ['--import', 'tsx', join(ROOT, options.script)];
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry, ...(options.args ?? [])], {
    cwd: ROOT,
    env: options.env ?? childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const tail = () => lines.slice(-20).join('\n');
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${options.label} was not ready within ${(options.timeoutMs ?? 60_000) / 1000}s`)), options.timeoutMs ?? 60_000);
    let settled = false;
    const handle: BenchProcess = {
      label: options.label,
      pid: child.pid!,
      ready: '',
      tail,
      async stop() {
        running.delete(handle);
        if (exited) return;
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exitedPromise;
        clearTimeout(kill);
      },
    };
    function fail(error: Error) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void handle.stop();
      reject(new Error(`${error.message}\n--- last output of ${options.label} ---\n${tail()}`));
    }
    const onData = (data: Buffer) => {
      for (const line of data.toString().split('\n')) {
        if (!line.trim()) continue;
        lines.push(line);
        if (lines.length > 200) lines.shift();
        if (options.echo) process.stderr.write(`[${options.label}] ${line}\n`);
        const match = settled ? null : options.ready.exec(line);
        if (match) {
          settled = true;
          clearTimeout(timer);
          handle.ready = match[1] ?? line;
          running.add(handle);
          resolve(handle);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      if (!settled) fail(new Error(`${options.label} exited (${signal ?? `code ${code}`}) before it was ready`));
      else if (running.has(handle)) process.stderr.write(`[${options.label}] exited unexpectedly (${signal ?? `code ${code}`}):\n${tail()}\n`);
    });
  });
}

/** Stops every child still running, newest first (gateways before subgraphs before the database). */
export async function stopAll(): Promise<void> {
  for (const handle of [...running].reverse()) await handle.stop();
}
