/**
 * `npm run subgraph -- <domain> [--port N] [--host H]`: runs one domain's
 * subgraph as its own service, as a domain team deploys it. Given several
 * domains, one process hosts them all, each on its default port and with its
 * own database pool, logger and quality schedule: `npm start` runs the six
 * that way on one machine, where six Node processes would cost about 80 MB
 * each for the same code. It uses the database
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
import type { SubgraphDefinition } from './lib/subgraph';

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

type HostOptions = {
  port: number;
  host: string;
  seed: boolean;
  gatewayPublicKeys: string[];
  qualitySchedule: ReturnType<typeof qualityScheduleFrom>;
  maxOperations?: number;
  /** The OpenTelemetry service name of this process (shared by the domains it hosts). */
  serviceName: string;
};

/** Starts one domain's subgraph (database, server, quality schedule) and resolves with the function that stops it. */
async function startDomain(domain: SubgraphDefinition<any>, options: HostOptions): Promise<() => Promise<void>> {
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
  if (!url || options.seed) await ensureSeeded(db, domain, { ...seedOptionsFrom(), log: process.stderr });
  // pino at MESHGATE_LOG_LEVEL; traces over OTLP when npm start (or the environment) gives MESHGATE_TRACING_ENDPOINT.
  const logger = createSubgraphLogger(domain.name);
  const tracingOptions = tracingFromEnv(process.env, options.serviceName);
  const tracing = tracingOptions ? startTracing(tracingOptions, logger) : undefined;
  const server = await startSubgraphServer(domain, db, {
    logger,
    port: options.port,
    host: options.host,
    gatewayPublicKeys: options.gatewayPublicKeys,
    admission: options.maxOperations ? { limit: options.maxOperations } : undefined,
    dataProduct: {
      qualitySchedule: options.qualitySchedule,
      // One line when every error rule passes; every rule's result when one fails.
      onQualityReport: (report) => (report.passed ? logger.info(`quality ${formatQualityReport(report).split('\n')[0]}`) : logger.error(formatQualityReport(report))),
      onQualityError: (error) => logger.error({ err: error }, 'quality rules could not run'),
    },
  });
  logger.info({ url: server.url, tracing: tracingOptions ? tracingOptions.endpoint : 'off' }, `subgraph ${domain.name} listening at ${server.url}`);
  return async () => {
    await server.stop();
    await tracing?.stop();
    await db.close();
    await closeEmbedded();
  };
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, seed: { type: 'boolean', default: false } },
  });
  const hosted = (positionals.length ? positionals : ['']).map((name) => domainNamed(name));
  if (hosted.length > 1 && values.port) throw new Error('--port is for one domain; several domains each listen on their default port');
  // Checked before opening any database, so a production misconfiguration fails fast.
  const gatewayPublicKeys = gatewayPublicKeysFrom(process.env, process.env.NODE_ENV === 'production' ? 'production' : 'development');
  const shared = {
    host: values.host!,
    seed: values.seed!,
    gatewayPublicKeys,
    qualitySchedule: qualityScheduleFrom(),
    maxOperations: maxOperationsFrom(),
    serviceName: hosted.length === 1 ? `meshgate-${hosted[0].name}` : 'meshgate-subgraphs',
  };
  const stops = await Promise.all(hosted.map((domain) => startDomain(domain, { ...shared, port: Number(values.port ?? DEFAULT_PORTS[domain.name] ?? 0) })));
  const shutdown = async () => {
    await Promise.all(stops.map((stop) => stop()));
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
