/**
 * Creates and seeds a domain's schema. Seeding is skipped when the schema already
 * holds data from the same seed, scale and table definitions, so a second
 * `npm start` reopens the data in well under a second instead of seeding again.
 */
import { createHash } from 'node:crypto';
import type { Db } from './db';
import { readTablesSql, type SeedOptions, type SubgraphDefinition } from './subgraph';

const SEED_FORMAT = 1;

function fingerprint(definition: SubgraphDefinition, options: SeedOptions): string {
  return createHash('sha256')
    .update(JSON.stringify({ format: SEED_FORMAT, seed: options.seed, scale: options.scale }))
    .update(readTablesSql(definition.dir))
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
  return rows[0]?.fingerprint === fingerprint(definition, options);
}

/** Drops and recreates the domain's schema, then seeds it. Only ever touches that one schema. */
export async function seedDomain(db: Db, definition: SubgraphDefinition, options: SeedOptions): Promise<void> {
  const schema = definition.name;
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.query(`CREATE SCHEMA ${schema}`);
  for (const statement of splitStatements(readTablesSql(definition.dir))) await db.query(statement);
  await definition.seed(db, options);
  await db.query(`ANALYZE`);
  await db.query(`CREATE TABLE ${schema}.seed_info (fingerprint text NOT NULL, seeded_at timestamptz NOT NULL DEFAULT now())`);
  await db.query(`INSERT INTO ${schema}.seed_info (fingerprint) VALUES ($1)`, [fingerprint(definition, options)]);
}

export async function ensureSeeded(db: Db, definition: SubgraphDefinition, options: SeedOptions): Promise<'seeded' | 'reused'> {
  if (await isSeeded(db, definition, options)) return 'reused';
  await seedDomain(db, definition, options);
  return 'seeded';
}

/** Splits a DDL file on semicolons at line ends; our table files hold no functions or quoted semicolons. */
export function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((statement) => statement.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);
}
