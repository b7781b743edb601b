/**
 * Creates and seeds a domain's schema. Seeding is skipped when the schema already
 * holds data from the same seed, scale and table definitions, so a second
 * `npm start` reopens the data in well under a second instead of seeding again.
 *
 * A domain's events.sql (the triggers that publish every change with NOTIFY,
 * docs/streaming.md) runs after the seed, so seeding publishes nothing and
 * every later writer publishes by construction.
 */
import { createHash } from 'node:crypto';
import type { Db } from './db';
import { readEventsSql, readTablesSql, type SeedOptions, type SubgraphDefinition } from './subgraph';

// 2: the story ends at the seeding time (options.now), shipments have updated_at.
const SEED_FORMAT = 2;

/** What a domain's seeded data depends on: the seed, the scale and its table and event definitions. */
export function seedFingerprint(definition: SubgraphDefinition, options: SeedOptions): string {
  return createHash('sha256')
    .update(JSON.stringify({ format: SEED_FORMAT, seed: options.seed, scale: options.scale }))
    .update(readTablesSql(definition.dir))
    .update(readEventsSql(definition.dir))
    .digest('hex')
    .slice(0, 16);
}

export async function isSeeded(db: Db, definition: SubgraphDefinition, options: SeedOptions): Promise<boolean> {
  const [found] = await db.query<{ exists: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AS exists`,
    [`${definition.name}.seed_info`],
  );
  if (!found.exists) return false;
  const rows = await db.query<{ fingerprint: string }>(`SELECT fingerprint FROM ${definition.name}.seed_info`);
  return rows[0]?.fingerprint === seedFingerprint(definition, options);
}

/** Drops and recreates the domain's schema, then seeds it. Only ever touches that one schema. */
export async function seedDomain(db: Db, definition: SubgraphDefinition, options: SeedOptions): Promise<void> {
  const schema = definition.name;
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.query(`CREATE SCHEMA ${schema}`);
  for (const statement of splitStatements(readTablesSql(definition.dir))) await db.query(statement);
  await definition.seed(db, options);
  for (const statement of splitStatements(readEventsSql(definition.dir))) await db.query(statement);
  await db.query(`ANALYZE`);
  await db.query(`CREATE TABLE ${schema}.seed_info (fingerprint text NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now(), story_now timestamptz NOT NULL)`);
  await db.query(`INSERT INTO ${schema}.seed_info (fingerprint, story_now) VALUES ($1, $2)`, [seedFingerprint(definition, options), new Date(options.now).toISOString()]);
}

/** When the story of the data already seeded with these options ends (epoch ms); null when the domain needs seeding. */
export async function recordedStoryNow(db: Db, definition: SubgraphDefinition, options: SeedOptions): Promise<number | null> {
  if (!(await isSeeded(db, definition, options))) return null;
  const [row] = await db.query<{ story_now: Date | string }>(`SELECT story_now FROM ${definition.name}.seed_info`);
  return row ? new Date(row.story_now).getTime() : null;
}

export async function ensureSeeded(db: Db, definition: SubgraphDefinition, options: SeedOptions): Promise<'seeded' | 'reused'> {
  if (await isSeeded(db, definition, options)) return 'reused';
  await seedDomain(db, definition, options);
  return 'seeded';
}

/** Splits a DDL file on semicolons at line ends, except inside dollar-quoted bodies (`$$ ... $$`, trigger functions). */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  let inBody = false;
  for (const line of sql.split('\n')) {
    current.push(line);
    if ((line.match(/\$\$/g)?.length ?? 0) % 2 === 1) inBody = !inBody;
    if (!inBody && /;\s*$/.test(line)) {
      statements.push(current.join('\n').replace(/;\s*$/, ''));
      current = [];
    }
  }
  statements.push(current.join('\n'));
  return statements.map((statement) => statement.replace(/^\s*--.*$/gm, '').trim()).filter(Boolean);
}
