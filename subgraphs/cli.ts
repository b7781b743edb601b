/**
 * `npm run subgraph -- <domain> [--port N] [--host H]`: runs one domain's
 * subgraph as its own service, as a domain team deploys it. It uses the database
 * in DATABASE_URL_<DOMAIN> or DATABASE_URL; without one it opens an embedded
 * PGlite in .data/<domain> and seeds it on first use. It accepts only requests
 * the gateway signed for this subgraph with a private key whose public key is in
 * MESHGATE_GATEWAY_PUBLIC_KEYS (or the file MESHGATE_GATEWAY_PUBLIC_KEYS_FILE;
 * two keys during a rotation). In development it falls back to the published
 * development key; production refuses to start without its own keys.
 *
 * It runs its data product's quality rules a few seconds after start and then on
 * the descriptor's quality.schedule; MESHGATE_QUALITY_SCHEDULE overrides the
 * interval (an ISO-8601 duration such as PT5M) or turns the schedule off (`off`).
 *
 * MESHGATE_SUBGRAPH_MAX_OPERATIONS sets how many GraphQL operations the process
 * executes at once (lib/admission.ts; 4 by default).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PgDb, PgliteDb, type Db } from './lib/db';
import { databaseUrlFor, seedOptionsFrom } from './lib/database';
import { startEmbeddedPostgres } from './lib/embeddedPostgres';
import { parseIsoDuration } from './lib/descriptor';
import { formatQualityReport } from './lib/quality';
import { startSubgraphServer } from './lib/server';
import { gatewayPublicKeysFrom } from './lib/signingKeys';
import { ensureSeeded } from './lib/storage';
import { createSubgraphLogger } from './lib/logger';
import { tracingFromEnv } from './lib/telemetry/env';
import { startTracing } from './lib/telemetry/tracing';
import { DEFAULT_PORTS, domainNamed } from '.';

/** The quality schedule from MESHGATE_QUALITY_SCHEDULE: off, an ISO-8601 interval, or (unset) the descriptor's. */
function qualityScheduleFrom(env: NodeJS.ProcessEnv = process.env) {
  const value = env.MESHGATE_QUALITY_SCHEDULE?.trim();
  if (value === 'off' || value === 'false') return false as const;
  if (!value) return { firstRunAfterMs: 3000 };
  const intervalMs = parseIsoDuration(value);
  if (!intervalMs) throw new Error(`MESHGATE_QUALITY_SCHEDULE: expected "off" or an ISO-8601 duration such as PT5M, got "${value}"`);
  return { intervalMs, firstRunAfterMs: 3000 };
}

/** MESHGATE_SUBGRAPH_MAX_OPERATIONS: operations executed at once, or undefined for the server's default. */
function maxOperationsFrom(env: NodeJS.ProcessEnv = process.env) {
  const raw = env.MESHGATE_SUBGRAPH_MAX_OPERATIONS?.trim();
  if (!raw) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 1024) throw new Error(`MESHGATE_SUBGRAPH_MAX_OPERATIONS: expected an integer from 1 to 1024, got "${raw}"`);
  return value;
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, seed: { type: 'boolean', default: false } },
  });
  const domain = domainNamed(positionals[0] ?? '');
  // Checked before opening any database, so a production misconfiguration fails fast.
  const gatewayPublicKeys = gatewayPublicKeysFrom(process.env, process.env.NODE_ENV === 'production' ? 'production' : 'development');
  const qualitySchedule = qualityScheduleFrom();
  const maxOperations = maxOperationsFrom();
  const port = Number(values.port ?? DEFAULT_PORTS[domain.name] ?? 0);
  const url = databaseUrlFor(domain.name);
  let db: Db;
  let closeEmbedded = async () => {};
  if (url) {
    db = new PgDb(url);
  } else {
    const embedded = await startEmbeddedPostgres({ dataDir: join(process.cwd(), '.data', domain.name), port: 0 });
    db = new PgliteDb(embedded.pglite);
    closeEmbedded = embedded.stop;
  }
  // With a shared database the mesh runner seeds; alone, a subgraph seeds its own embedded data.
  if (!url || values.seed) await ensureSeeded(db, domain, { ...seedOptionsFrom(), log: process.stderr });
  // pino at MESHGATE_LOG_LEVEL; traces over OTLP when npm start (or the environment) gives MESHGATE_TRACING_ENDPOINT.
  const logger = createSubgraphLogger(domain.name);
  const tracingOptions = tracingFromEnv(process.env, `meshgate-${domain.name}`);
  const tracing = tracingOptions ? startTracing(tracingOptions, logger) : undefined;
  const server = await startSubgraphServer(domain, db, {
    logger,
    port,
    host: values.host,
    gatewayPublicKeys,
    admission: maxOperations ? { limit: maxOperations } : undefined,
    dataProduct: {
      qualitySchedule,
      // One line when every error rule passes; every rule's result when one fails.
      onQualityReport: (report) => (report.passed ? logger.info(`quality ${formatQualityReport(report).split('\n')[0]}`) : logger.error(formatQualityReport(report))),
      onQualityError: (error) => logger.error({ err: error }, 'quality rules could not run'),
    },
  });
  logger.info({ url: server.url, tracing: tracingOptions ? tracingOptions.endpoint : 'off' }, `subgraph ${domain.name} listening at ${server.url}`);
  const shutdown = async () => {
    await server.stop();
    await tracing?.stop();
    await db.close();
    await closeEmbedded();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
