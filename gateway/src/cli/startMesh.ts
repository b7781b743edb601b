/**
 * `npm start`: the whole mesh on one machine with embedded defaults. It opens
 * (or seeds, the first time) one embedded PostgreSQL (PGlite) with a schema per
 * domain, starts every domain's subgraph (one process hosting the six, each
 * on its own port, as subgraphs/cli.ts says why), then the gateway in its own
 * process, and prints where everything listens.
 * With DATABASE_URL set it uses that PostgreSQL server instead. Once the mesh is up,
 * the live generator (subgraphs/lib/liveData.ts) keeps adding orders, payments,
 * transactions and shipment changes: `--live-data off` (MESHGATE_LIVE_DATA=off)
 * turns it off, `--live-data-rate N` (MESHGATE_LIVE_DATA_RATE) sets facts per second.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PgDb } from '../../../subgraphs/lib/db';
import { databaseUrlFor, seedOptionsFrom } from '../../../subgraphs/lib/database';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../../subgraphs/lib/embeddedPostgres';
import { ensureSeeded, recordedStoryNow, seedFingerprint } from '../../../subgraphs/lib/storage';
import type { SeedOptions } from '../../../subgraphs/lib/subgraph';
import { liveDataConfigFrom, startLiveData, type LiveData } from '../../../subgraphs/lib/liveData';
import {
  GATEWAY_PUBLIC_KEYS_ENV,
  gatewayVerificationKeys,
  PREVIOUS_PUBLIC_KEYS_ENV,
  readKeyFile,
  RETIRED_SECRET_ENV,
  SIGNING_KEY_FILE_ENV,
  splitKeyList,
} from '../../../subgraphs/lib/signingKeys';
import { DEFAULT_PORTS, domains } from '../../../subgraphs';
import { TRACING_ENDPOINT_ENV, TRACING_SAMPLE_RATIO_ENV } from '../../../subgraphs/lib/telemetry/env';
import { loadConfig } from '../config';

/**
 * The subgraphs trace when the gateway does, to the same endpoint with the same ratio, wherever the gateway's
 * tracing config comes from (MESHGATE_CONFIG's file or the environment). A config the gateway will refuse gives
 * nothing here: the gateway reports it.
 */
function tracingEnvironment(): NodeJS.ProcessEnv {
  try {
    const subgraphs = domains.map((domain) => ({ name: domain.name, url: `http://127.0.0.1:${DEFAULT_PORTS[domain.name]}/graphql` }));
    const { endpoint, sampleRatio } = loadConfig({ defaults: { subgraphs } }).tracing;
    return endpoint ? { [TRACING_ENDPOINT_ENV]: endpoint, [TRACING_SAMPLE_RATIO_ENV]: String(sampleRatio) } : {};
  } catch {
    return {};
  }
}

const ROOT = join(__dirname, '..', '..', '..');
// Run from the compiled build (npm start), children run compiled too; run from source, they run through tsx.
const FROM_SOURCE = __filename.endsWith('.ts');
const started = Date.now();
const children: ChildProcess[] = [];
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;

function startProcess(label: string, script: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const entry = join(ROOT, FROM_SOURCE ? script : script.replace(/\.ts$/, '.js'));
  const runtime = FROM_SOURCE ? ['--import', 'tsx'] : [];
  const child = spawn(process.execPath, [...runtime, entry, ...args], { cwd: process.cwd(), env, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (data: Buffer) => data.toString().trimEnd().split('\n').map((line) => `[${label}] ${line}`).join('\n') + '\n';
  child.stdout!.on('data', (data: Buffer) => process.stdout.write(prefix(data)));
  child.stderr!.on('data', (data: Buffer) => process.stderr.write(prefix(data)));
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`[${label}] exited (${signal ?? `code ${code}`}); the rest of the mesh keeps running`);
  });
  children.push(child);
  return child;
}

/**
 * The environments of the gateway and of the subgraphs: one Ed25519 key pair per run unless MESHGATE_SIGNING_KEY
 * (or _FILE) is given, so no other local process can call a subgraph. Only the gateway gets the private key; the
 * subgraphs get its public key (and MESHGATE_SIGNING_PREVIOUS_PUBLIC_KEYS'), unless MESHGATE_GATEWAY_PUBLIC_KEYS is set.
 */
function signingEnvironments(env: NodeJS.ProcessEnv): { gateway: NodeJS.ProcessEnv; subgraphs: NodeJS.ProcessEnv } {
  if (env[RETIRED_SECRET_ENV]) throw new Error(`${RETIRED_SECRET_ENV} is no longer used (requests are signed with an Ed25519 key pair made per run, or MESHGATE_SIGNING_KEY); unset it`);
  const { MESHGATE_SIGNING_KEY: given, MESHGATE_SIGNING_KEY_FILE: file, ...withoutPrivateKey } = env;
  const signingKey = given ?? (file ? readKeyFile(SIGNING_KEY_FILE_ENV, file) : generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const previous = splitKeyList(env[PREVIOUS_PUBLIC_KEYS_ENV] ?? '');
  return {
    gateway: { ...withoutPrivateKey, MESHGATE_SIGNING_KEY: signingKey },
    subgraphs: { ...withoutPrivateKey, [GATEWAY_PUBLIC_KEYS_ENV]: env[GATEWAY_PUBLIC_KEYS_ENV] ?? gatewayVerificationKeys(signingKey, previous).join('') },
  };
}

async function waitFor(url: string, label: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${label} did not become healthy at ${url} within ${timeoutMs / 1000}s`);
}

let stopping = false;
/**
 * Seeding grows PGlite's WebAssembly memory, which it never gives back: the embedded database is seeded by a
 * process of its own (this command with --seed-only), which exits, so the mesh runs from what serving needs
 * (about 350 MB less after a first start). A marker beside the data says it holds this seed and these tables.
 */
const seededMarkerOf = (dataDir: string) => `${dataDir}.seeded`;
const fingerprintOf = (options: SeedOptions) => domains.map((domain) => `${domain.name}:${seedFingerprint(domain, options)}`).join(',');

function isSeededAsMarked(dataDir: string, options: SeedOptions): boolean {
  return existsSync(dataDir) && existsSync(seededMarkerOf(dataDir)) && readFileSync(seededMarkerOf(dataDir), 'utf8') === fingerprintOf(options);
}

function markSeeded(dataDir: string, options: SeedOptions) {
  writeFileSync(seededMarkerOf(dataDir), fingerprintOf(options));
}

async function seedInOwnProcess() {
  console.log(`seeding the embedded database in a process of its own (${elapsed()})`);
  const child = spawn(process.execPath, [...process.execArgv, __filename, ...process.argv.slice(2), '--seed-only'], { cwd: process.cwd(), env: process.env, stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`seeding failed (exit code ${code}); its output is above`);
}

let embedded: EmbeddedPostgres | undefined;
let gatewayProcess: ChildProcess | undefined;
let live: { data: LiveData; close(): Promise<void> } | undefined;

/** Sends SIGTERM to these children and waits until each has exited (one that already ended has nothing to wait for). */
async function stopProcesses(group: ChildProcess[]) {
  for (const child of group) child.kill('SIGTERM');
  await Promise.all(group.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((resolve) => child.once('exit', resolve)) : null)));
}

/**
 * Stops the mesh from the front: the gateway first (it drains its requests in flight against live subgraphs and
 * flushes its audit log), then the subgraphs (their requests in flight against the live database), then the database.
 */
async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  // The generator first: its fact in flight completes while every database is still open.
  await live?.data.stop();
  await live?.close();
  await stopProcesses(children.filter((child) => child === gatewayProcess));
  await stopProcesses(children.filter((child) => child !== gatewayProcess));
  await embedded?.stop();
  process.exit(code);
}

async function main() {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string' },
      'gateway-port': { type: 'string', default: process.env.MESHGATE_PORT ?? '4000' },
      'db-port': { type: 'string', default: process.env.MESHGATE_EMBEDDED_DB_PORT ?? '54329' },
      'live-data': { type: 'string' },
      'live-data-rate': { type: 'string' },
      // Internal: the process that seeds the embedded database and exits (seedInOwnProcess).
      'seed-only': { type: 'boolean', default: false },
    },
  });
  const seedOptions = seedOptionsFrom(process.env, values.scale ? { scale: Number(values.scale) } : {});
  const liveFlag = values['live-data'];
  if (liveFlag !== undefined && liveFlag !== 'on' && liveFlag !== 'off') throw new Error(`--live-data must be on or off, got "${liveFlag}"`);
  const liveConfig = liveDataConfigFrom(process.env, { enabled: liveFlag === undefined ? undefined : liveFlag === 'on', rate: values['live-data-rate'] });

  let sharedUrl = process.env.DATABASE_URL;
  const dataDir = join(process.cwd(), '.data', 'pglite');
  if (!sharedUrl && domains.some((domain) => !databaseUrlFor(domain.name))) {
    if (!values['seed-only'] && !isSeededAsMarked(dataDir, seedOptions)) await seedInOwnProcess();
    embedded = await startEmbeddedPostgres({ dataDir, port: Number(values['db-port']) });
    sharedUrl = embedded.url;
    console.log(`embedded PostgreSQL (PGlite) at ${embedded.url}, data in ${dataDir} (${elapsed()})`);
  }

  // Domains seeded now end their story when the domains already seeded end theirs, so orders, payments and shipments agree.
  for (const domain of domains) {
    const db = new PgDb(databaseUrlFor(domain.name) ?? sharedUrl!, 2);
    const recorded = await recordedStoryNow(db, domain, seedOptions).catch(() => null);
    await db.close();
    if (recorded !== null) {
      seedOptions.now = recorded;
      break;
    }
  }
  for (const domain of domains) {
    const db = new PgDb(databaseUrlFor(domain.name) ?? sharedUrl!, 2);
    const outcome = await ensureSeeded(db, domain, { ...seedOptions, log: process.stderr });
    if (outcome === 'reused') console.log(`${domain.name}: data already seeded (scale ${seedOptions.scale}, seed ${seedOptions.seed})`);
    await db.close();
  }
  if (embedded) markSeeded(dataDir, seedOptions);
  if (values['seed-only']) {
    await embedded?.stop();
    process.exit(0);
  }

  const signing = signingEnvironments(process.env);
  // One process hosts the six subgraphs, each on its own port with its own pool (subgraphs/cli.ts): a process each
  // would cost about 80 MB apiece on one machine. Domains deploy one per process (`npm run subgraph -- <domain>`).
  startProcess('subgraphs', 'subgraphs/cli.ts', domains.map((domain) => domain.name), {
    ...signing.subgraphs,
    // The gateway polls every subgraph every 10 s: at info, their access lines would bury the console. MESHGATE_LOG_LEVEL=info shows them.
    MESHGATE_LOG_LEVEL: process.env.MESHGATE_LOG_LEVEL ?? 'warn',
    ...tracingEnvironment(),
    ...Object.fromEntries(domains.map((domain) => [`DATABASE_URL_${domain.name.toUpperCase()}`, databaseUrlFor(domain.name) ?? sharedUrl])),
  });
  await Promise.all(domains.map((domain) => waitFor(`http://127.0.0.1:${DEFAULT_PORTS[domain.name]}/health`, `subgraph ${domain.name}`)));
  console.log(`all ${domains.length} subgraphs healthy (${elapsed()})`);

  const gatewayPort = values['gateway-port']!;
  // The gateway polls the subgraphs (every 10 s unless set), so a restarted or changed subgraph is picked up live.
  gatewayProcess = startProcess('gateway', 'gateway/src/cli/gateway.ts', ['--port', gatewayPort, '--host', process.env.MESHGATE_HOST ?? '127.0.0.1'], {
    ...signing.gateway,
    MESHGATE_SUPERGRAPH_POLL_INTERVAL_MS: process.env.MESHGATE_SUPERGRAPH_POLL_INTERVAL_MS ?? '10000',
  });
  await waitFor(`http://127.0.0.1:${gatewayPort}/health`, 'gateway');

  // Live data: each domain's facts through a small pool of its own database, so requests keep theirs.
  const liveDbs = { sales: 'sales', finance: 'finance', logistics: 'logistics', marketing: 'marketing', customers: 'customers' } as const;
  const pools = Object.fromEntries(Object.keys(liveDbs).map((name) => [name, new PgDb(databaseUrlFor(name) ?? sharedUrl!, 1)])) as Record<keyof typeof liveDbs, PgDb>;
  live = {
    data: startLiveData(pools, seedOptions, liveConfig, (line) => console.log(`[live] ${line}`)),
    close: async () => void (await Promise.all(Object.values(pools).map((pool) => pool.close()))),
  };

  console.log(`
meshgate is ready (${elapsed()}):
  query page   http://localhost:${gatewayPort}/
  catalog      http://localhost:${gatewayPort}/catalog   (data products: owner, SLA, freshness, quality, fields)
  GraphQL      http://localhost:${gatewayPort}/graphql
  health       http://localhost:${gatewayPort}/health   ready: http://localhost:${gatewayPort}/ready
${domains.map((domain) => `  subgraph     ${domain.name.padEnd(10)} http://127.0.0.1:${DEFAULT_PORTS[domain.name]}/graphql`).join('\n')}
  database     ${embedded ? `embedded PGlite ${embedded.url}` : 'PostgreSQL from DATABASE_URL'}
  live data    ${liveConfig.enabled ? `${liveConfig.ratePerSecond} facts per second (--live-data off to stop it)` : 'off'}
Press Ctrl+C to stop.`);
}

process.once('SIGINT', () => void stopAll(0));
process.once('SIGTERM', () => void stopAll(0));
main().catch((error) => {
  console.error(`npm start failed: ${error instanceof Error ? error.message : error}`);
  void stopAll(1);
});
