/**
 * Seeded test databases from a snapshot. Creating a PGlite database and
 * seeding every domain takes seconds (initdb in WebAssembly, then the seed),
 * and most test files start a mesh over the same seed: the first one seeds and
 * keeps a snapshot of the data directory (PGlite's dumpDataDir) in the
 * system's temporary directory; later ones, in any jest worker, open a copy
 * of it (loadDataDir), which skips initdb and the seed.
 *
 * Guarantees: a snapshot is used only for the same seed options, the same
 * domains in the same order, each seeded by its standard definition (a test
 * that seeds with a definition of its own gets a fresh seed), and the same
 * source of every non-test .ts and .sql file under subgraphs/ (tables, seeds,
 * events, the scenario): change any of them and the next run seeds anew.
 * Each caller gets its own database; nothing written to it reaches the
 * snapshot. Snapshots are written whole (a temporary file, then a rename), so
 * concurrent workers never read half of one.
 *
 * Must never be used outside tests: `npm start` seeds its own database.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PgliteDb } from './db';
import { seedDomain } from './storage';
import type { SeedOptions, SubgraphDefinition } from './subgraph';

const SUBGRAPHS_DIR = join(__dirname, '..');
// A test database holds a few thousand rows; PostgreSQL's default 128MB of shared buffers only costs the
// kernel time to map them, at every one of the suite's hundred-odd database starts.
const TEST_POSTGRES_CONF = ["shared_buffers = '16MB'"];
const CACHE_DIR = join(tmpdir(), 'meshgate-seeded-snapshots');
const STALE_MS = 24 * 3600_000;

let sourceDigest: string | undefined;

/** A digest of every file the seeded data can depend on: non-test .ts and .sql sources under subgraphs/. */
function digestOfSources(): string {
  if (sourceDigest) return sourceDigest;
  const hash = createHash('sha256');
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (/\.(ts|sql)$/.test(entry.name) && !entry.name.endsWith('.test.ts')) hash.update(relative(SUBGRAPHS_DIR, path)).update(readFileSync(path));
    }
  };
  visit(SUBGRAPHS_DIR);
  return (sourceDigest = hash.digest('hex'));
}

function removeStaleSnapshots() {
  for (const name of readdirSync(CACHE_DIR)) {
    const path = join(CACHE_DIR, name);
    if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true });
  }
}

/**
 * A new in-memory PGlite database holding `definitions` seeded with `options`, from the snapshot when one fits.
 * `standard` are the definitions a snapshot may stand for (the repository's domains).
 */
export async function seededPglite(definitions: SubgraphDefinition<any>[], options: SeedOptions, standard: SubgraphDefinition<any>[]): Promise<PGlite> {
  const cacheable = definitions.every((definition) => standard.some((known) => known.name === definition.name && known.seed === definition.seed && known.dir === definition.dir));
  const key = createHash('sha256')
    .update(JSON.stringify({ options: { ...options, log: undefined }, domains: definitions.map((definition) => definition.name) }))
    .update(digestOfSources())
    .digest('hex')
    .slice(0, 24);
  const file = join(CACHE_DIR, `${key}.tar`);
  if (cacheable) {
    try {
      return await PGlite.create({ loadDataDir: new Blob([readFileSync(file)]), postgresqlconf: TEST_POSTGRES_CONF });
    } catch {
      // No snapshot yet (or an unreadable one): seed, then keep one.
    }
  }
  const pglite = await PGlite.create({ postgresqlconf: TEST_POSTGRES_CONF });
  const db = new PgliteDb(pglite, false);
  for (const definition of definitions) await seedDomain(db, definition, options);
  if (cacheable) {
    mkdirSync(CACHE_DIR, { recursive: true });
    removeStaleSnapshots();
    const snapshot = Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer());
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, snapshot);
    renameSync(partial, file);
  }
  return pglite;
}
