/**
 * The embedded default database: one PGlite (PostgreSQL compiled to WASM) served
 * on a local TCP port with the PostgreSQL wire protocol. Every subgraph process
 * reaches it through `pg`, exactly as it would reach a real PostgreSQL server,
 * each domain in its own schema. Data lives in a directory, so restarts reopen
 * seeded data instead of seeding again.
 *
 * Connections take turns on PGlite's one session, one whole exchange at a time
 * (pgliteSessionServer.ts says why pglite-socket cannot be used for this).
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PgliteSessionServer } from './pgliteSessionServer';

export type EmbeddedPostgres = { url: string; pglite: PGlite; stop(): Promise<void> };

/**
 * PostgreSQL's default shared_buffers (128MB) is most of what an embedded database costs in memory; the whole
 * mesh runs on one machine beside it, and the data files are in the operating system's page cache anyway.
 */
const EMBEDDED_SHARED_BUFFERS = '32MB';

export async function startEmbeddedPostgres(options: { dataDir?: string; host?: string; port?: number; maxConnections?: number; sharedBuffers?: string }): Promise<EmbeddedPostgres> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const pglite = await PGlite.create(options.dataDir ?? 'memory://', { postgresqlconf: [`shared_buffers = '${options.sharedBuffers ?? EMBEDDED_SHARED_BUFFERS}'`] });
  const host = options.host ?? '127.0.0.1';
  const server = new PgliteSessionServer({ db: pglite, host, port: options.port ?? 0, maxConnections: options.maxConnections ?? 64 });
  const port = await server.start();
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
    pglite,
    async stop() {
      await server.stop();
      await pglite.close();
    },
  };
}
