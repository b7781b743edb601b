/**
 * The seeded data every configuration reads, opened once per benchmark:
 *
 * 1. DATABASE_URL when set (one database, a schema per domain, as `npm start`);
 * 2. else a database `meshgate_bench` on the PostgreSQL server at
 *    127.0.0.1:5432 (BENCH_POSTGRES_URL to use another server), created when
 *    missing: far faster than PGlite under concurrent load;
 * 3. else the embedded PGlite in .data/bench-<scale>, in its own process.
 *
 * Each domain is seeded with ensureSeeded, so a later run at the same scale and
 * seed reuses the data (another scale reseeds the schemas).
 */
import { join } from 'node:path';
import { Client } from 'pg';
import { PgDb } from '../../subgraphs/lib/db';
import { ensureSeeded } from '../../subgraphs/lib/storage';
import { domains } from '../../subgraphs';
import { ROOT, startProcess } from './processes';

export const BENCH_DATABASE = 'meshgate_bench';
const DEFAULT_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

export type BenchDatabase = {
  url: string;
  kind: 'postgres' | 'pglite';
  description: string;
  /** The processes serving this database (for their CPU time); null when they are not on this machine. */
  processes(): Promise<number[] | null>;
  stop(): Promise<void>;
};

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A PostgreSQL server's backends serving `url`'s database, when the server runs on this machine. */
function serverBackends(url: string): Pick<BenchDatabase, 'processes' | 'stop'> {
  if (!LOCAL_HOSTS.has(new URL(url).hostname)) return { processes: async () => null, stop: async () => {} };
  let client: Client | undefined;
  return {
    async processes() {
      try {
        if (!client) {
          client = new Client({ connectionString: url });
          await client.connect();
        }
        const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
        return rows.map((row) => row.pid);
      } catch {
        return null;
      }
    },
    async stop() {
      await client?.end().catch(() => undefined);
    },
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Creates `meshgate_bench` on the server if it is reachable; undefined when it is not. */
async function benchDatabaseOnServer(serverUrl: string): Promise<string | undefined> {
  const client = new Client({ connectionString: serverUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
  } catch {
    return undefined;
  }
  try {
    const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [BENCH_DATABASE]);
    if (!rows.length) await client.query(`CREATE DATABASE ${BENCH_DATABASE}`);
    return withDatabase(serverUrl, BENCH_DATABASE);
  } finally {
    await client.end();
  }
}

export async function openDatabase(options: { scale: number; seed: number; now?: number }): Promise<BenchDatabase> {
  let database: BenchDatabase;
  const serverUrl = process.env.BENCH_POSTGRES_URL ?? DEFAULT_SERVER;
  const onServer = process.env.DATABASE_URL ? undefined : await benchDatabaseOnServer(serverUrl);
  if (process.env.DATABASE_URL) {
    database = { url: process.env.DATABASE_URL, kind: 'postgres', description: 'PostgreSQL from DATABASE_URL', ...serverBackends(process.env.DATABASE_URL) };
  } else if (onServer) {
    const shown = new URL(onServer);
    database = { url: onServer, kind: 'postgres', description: `PostgreSQL ${shown.host}, database ${BENCH_DATABASE}`, ...serverBackends(onServer) };
  } else {
    const dataDir = join(ROOT, '.data', `bench-${options.scale}`);
    const child = await startProcess({
      label: 'pglite',
      script: 'bench/embeddedDatabase.ts',
      args: ['--data-dir', dataDir],
      ready: /ready at (\S+)/,
    });
    database = {
      url: child.ready,
      kind: 'pglite',
      description: `embedded PGlite (no PostgreSQL at ${new URL(serverUrl).host}), data in ${dataDir}`,
      processes: async () => [child.pid],
      stop: () => child.stop(),
    };
  }
  for (const domain of domains) {
    const db = new PgDb(database.url, 2);
    try {
      await ensureSeeded(db, domain, { now: Date.now(), ...options, log: process.stderr });
    } finally {
      await db.close();
    }
  }
  return database;
}
