/**
 * The embedded database in a process of its own, as under `npm start` (the mesh runner holds it, the subgraphs
 * are other processes): only then do a connection's messages arrive in reads of their own, interleaved with other
 * connections' reads, as they do in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export type EmbeddedDatabaseProcess = { url: string; child: ChildProcess; stop(): Promise<void> };

export async function startEmbeddedDatabaseProcess(): Promise<EmbeddedDatabaseProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '..', 'bench', 'embeddedDatabase.ts'), '--in-memory'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout!.on('data', (data: Buffer) => {
      output += data.toString();
      const found = /ready at (postgres:\/\/\S+)/.exec(output);
      if (found) resolve(found[1]);
    });
    child.once('exit', (code) => reject(new Error(`the embedded database exited (code ${code}) before it was ready: ${output}`)));
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
