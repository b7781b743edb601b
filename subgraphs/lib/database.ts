/**
 * Which database a domain uses: `DATABASE_URL_<DOMAIN>` (a database of its own),
 * else `DATABASE_URL` (one database, a schema per domain), else none, which
 * callers answer with the embedded PGlite.
 */
export function databaseUrlFor(domain: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[`DATABASE_URL_${domain.toUpperCase()}`] || env.DATABASE_URL || undefined;
}

/** The seed and scale of the demo data, from MESHGATE_SEED and MESHGATE_SCALE. */
export function seedOptionsFrom(env: NodeJS.ProcessEnv = process.env, overrides: { scale?: number; seed?: number } = {}) {
  const scale = overrides.scale ?? Number(env.MESHGATE_SCALE ?? 1);
  const seed = overrides.seed ?? Number(env.MESHGATE_SEED ?? 42);
  if (!(scale > 0 && scale <= 100)) throw new Error(`MESHGATE_SCALE must be a number in (0, 100], got "${env.MESHGATE_SCALE}"`);
  if (!Number.isInteger(seed)) throw new Error(`MESHGATE_SEED must be an integer, got "${env.MESHGATE_SEED}"`);
  return { scale, seed };
}
