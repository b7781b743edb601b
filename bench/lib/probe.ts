/**
 * The counting probe: the six subgraphs once more, in this process, on the same
 * data, each recording the requests it receives and the SQL statements it runs
 * (Db.onQuery, the counter the batching tests use). A gateway pointed at them
 * answers one request at a time, so the counts are exactly what one request
 * costs each subgraph and the database. Subgraph code is reused unchanged.
 */
import { PgDb } from '../../subgraphs/lib/db';
import { startSubgraphServer, type RunningSubgraph } from '../../subgraphs/lib/server';
import { gatewayPublicKeysFrom } from '../../subgraphs/lib/signingKeys';
import { domains } from '../../subgraphs';

export type Counts = Record<string, { fetches: number; sql: number }>;

export type CountingSubgraphs = {
  subgraphs: { name: string; url: string }[];
  /** Counts since the last reset, per subgraph. */
  counts(): Counts;
  reset(): void;
  stop(): Promise<void>;
};

export async function startCountingSubgraphs(databaseUrl: string): Promise<CountingSubgraphs> {
  const gatewayPublicKeys = gatewayPublicKeysFrom(process.env, 'development');
  const counts: Counts = {};
  const running: { server: RunningSubgraph; db: PgDb }[] = [];
  for (const domain of domains) {
    const db = new PgDb(databaseUrl, 2);
    const entry = (counts[domain.name] = { fetches: 0, sql: 0 });
    db.onQuery(() => entry.sql++);
    const server = await startSubgraphServer(domain, db, { host: '127.0.0.1', port: 0, gatewayPublicKeys, onRequest: () => entry.fetches++ });
    running.push({ server, db });
  }
  return {
    subgraphs: running.map(({ server }) => ({ name: server.name, url: server.url })),
    counts: () => structuredClone(counts),
    reset() {
      for (const entry of Object.values(counts)) entry.fetches = entry.sql = 0;
    },
    async stop() {
      for (const { server, db } of running) {
        await server.stop();
        await db.close();
      }
    },
  };
}
