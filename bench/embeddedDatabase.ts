/**
 * The benchmark's embedded database when no PostgreSQL server is reachable:
 * PGlite on a local port, in a process of its own so the load generator does
 * not share its event loop with the database.
 *
 *   node --import tsx bench/embeddedDatabase.ts --data-dir .data/bench-0.1
 *   node --import tsx bench/embeddedDatabase.ts --in-memory    (tests: nothing kept)
 *
 * It prints one line, `embedded PostgreSQL (PGlite) ready at <url>`, once it accepts connections.
 */
import { parseArgs } from 'node:util';
import { startEmbeddedPostgres } from '../subgraphs/lib/embeddedPostgres';

async function main() {
  const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, 'in-memory': { type: 'boolean', default: false } } });
  if (!values['data-dir'] && !values['in-memory']) throw new Error('--data-dir <dir> or --in-memory is required');
  // Six subgraphs with 8 connections each, the probe's six with 2, and the seeding connection.
  const embedded = await startEmbeddedPostgres({ dataDir: values['in-memory'] ? undefined : values['data-dir'], port: 0, maxConnections: 100 });
  console.log(`embedded PostgreSQL (PGlite) ready at ${embedded.url}`);
  const shutdown = async () => {
    await embedded.stop();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
