/**
 * Which database a domain uses: `DATABASE_URL_<DOMAIN>` (a database of its own),
 * else `DATABASE_URL` (one database, a schema per domain), else none, which
 * callers answer with the embedded PGlite.
 */
export function databaseUrlFor(domain: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env[`DATABASE_URL_${domain.toUpperCase()}`] || env.DATABASE_URL || undefined;
}

/**
 * The seed, scale and end of the demo data's story, from MESHGATE_SEED, MESHGATE_SCALE and MESHGATE_SEED_NOW
 * (an ISO date-time; the time of the call by default, so freshly seeded data is fresh).
 */
export function seedOptionsFrom(env: NodeJS.ProcessEnv = process.env, overrides: { scale?: number; seed?: number; now?: number } = {}) {
  const scale = overrides.scale ?? Number(env.MESHGATE_SCALE ?? 1);
  const seed = overrides.seed ?? Number(env.MESHGATE_SEED ?? 42);
  const now = overrides.now ?? (env.MESHGATE_SEED_NOW ? Date.parse(env.MESHGATE_SEED_NOW) : Date.now());
  if (!(scale > 0 && scale <= 100)) throw new Error(`MESHGATE_SCALE must be a number in (0, 100], got "${env.MESHGATE_SCALE}"`);
  if (!Number.isInteger(seed)) throw new Error(`MESHGATE_SEED must be an integer, got "${env.MESHGATE_SEED}"`);
  if (!Number.isFinite(now)) throw new Error(`MESHGATE_SEED_NOW must be an ISO date-time such as 2026-10-31T00:00:00Z, got "${env.MESHGATE_SEED_NOW}"`);
  return { scale, seed, now };
}
