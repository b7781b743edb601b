/**
 * The real gateway command (`gateway/src/cli/gateway.ts`) in a child process,
 * with NODE_ENV unset as in production (the jest suite runs with NODE_ENV=test,
 * under which Apollo Server's own signal handling differs): for tests where
 * signals, shutdown and exit codes are the point.
 *
 *   const gateway = await startGatewayProcess(dir, 'drain', config);
 *   gateway.child.kill('SIGTERM');
 *   expect(await gateway.exited).toBe(0);
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

export type GatewayProcess = {
  child: ChildProcess;
  /** Its GraphQL URL, from the "meshgate listening at" line. */
  url: string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
};

/** Writes `config` to `dir/<name>.json` and starts the gateway with it on an ephemeral port; resolves once it listens. */
export async function startGatewayProcess(dir: string, name: string, config: Record<string, unknown>): Promise<GatewayProcess> {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(config));
  const env = { ...process.env };
  delete env.NODE_ENV;
  delete env.MESHGATE_WORKERS;
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'gateway/src/cli/gateway.ts'), '--config', file, '--port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line within 60 s:\n${output}`)), 60_000);
    child.stdout!.on('data', () => {
      const match = /meshgate listening at (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    void exited.then((code) => reject(new Error(`exited with ${code} before listening:\n${output}`)));
  });
  return { child, url, exited, output: () => output };
}
