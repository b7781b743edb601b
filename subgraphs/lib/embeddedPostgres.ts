/**
 * The embedded default database: one PGlite (PostgreSQL compiled to WASM) served
 * on a local TCP port with the PostgreSQL wire protocol. Every subgraph process
 * reaches it through `pg`, exactly as it would reach a real PostgreSQL server,
 * each domain in its own schema. Data lives in a directory, so restarts reopen
 * seeded data instead of seeding again.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export type EmbeddedPostgres = { url: string; pglite: PGlite; stop(): Promise<void> };

export async function startEmbeddedPostgres(options: { dataDir?: string; host?: string; port?: number; maxConnections?: number }): Promise<EmbeddedPostgres> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create(options.dataDir ?? 'memory://');
  const host = options.host ?? '127.0.0.1';
  const server = new PGLiteSocketServer({ db: pglite, host, port: options.port ?? 0, maxConnections: options.maxConnections ?? 64 });
  await server.start();
  const address = (server as unknown as { server: import('node:net').Server }).server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
    pglite,
    async stop() {
      await server.stop();
      await pglite.close();
    },
  };
}
