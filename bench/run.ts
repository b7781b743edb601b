/**
 * `npm run bench -- [--workload dashboard,lookup,large-list,mixed|scaling|all]
 *   [--duration 10] [--warmup 2] [--connections 16] [--rate N|workload=N,...] [--rounds 3] [--scale 0.1]
 *   [--configs baseline,authz-off,authz-on] [--profile] [--profile-subgraphs]
 *   [--name latest]`
 *
 * Compares gateway configurations on the same seeded data and the same request
 * streams. It opens the data once (lib/database.ts) and starts the six
 * subgraphs once, as processes of their own; counts what one request of each
 * workload costs the subgraphs and the database (lib/probe.ts); then, for each
 * round, runs each configuration in its own gateway process, in turn
 * (A B C A B C ...), and for each workload: checks one answer against the
 * baseline's, warms up, and times a fixed number of connections for a fixed
 * duration with autocannon from this process, reading the gateway's CPU and
 * peak memory from /proc. Results go to bench/results/<name>.{json,md,svg}
 * (`--name`, default `latest`).
 *
 * Not a test: `npm test` never runs it.
 */
import { cpus, totalmem } from 'node:os';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { join } from 'node:path';
import { composeOrThrow } from '../schema/compose';
import { countsFor } from '../subgraphs/lib/scenario';
import { domains } from '../subgraphs';
import { selectConfigurations, type BenchConfiguration } from './configs';
import { benchCredentials, BENCH_PRINCIPAL } from './principal';
import { openDatabase } from './lib/database';
import { runLoad } from './lib/load';
import { childEnv, gatewayEnv, ROOT, startProcess, stopAll, type BenchProcess } from './lib/processes';
import { watchWindow, type WindowUsage } from './lib/procStats';
import { startCountingSubgraphs } from './lib/probe';
import { NOISY_SHARE, renderMarkdown, renderTerminal, summarize, type BenchResults, type ProbeResult, type RunRecord } from './lib/report';
import { renderChart } from './lib/chart';
import { profileArgs, profilesIn, renderHeapProfile, renderProfile, summarizeHeapProfile, summarizeProfile, summarizeProfiles, type ProfileSummary } from './lib/profile';
import { DEFAULT_WORKLOADS, requestStream, selectWorkloads, type GraphQLRequest, type Workload } from './workloads';

const RESULTS_DIR = join(ROOT, 'bench', 'results');
const WORK_DIR = join(RESULTS_DIR, 'tmp');
const started = Date.now();

function elapsed(): string {
  const seconds = Math.floor((Date.now() - started) / 1000);
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}
const log = (line: string) => process.stdout.write(`[${elapsed()}] ${line}\n`);

/** The 1-minute load average: other work on this machine shows up here and in the numbers. */
const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

function resultName(raw: string): string {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(raw)) throw new Error(`--name: expected lowercase letters, digits and dashes (a file name under bench/results/), got "${raw}"`);
  return raw;
}

function positiveNumber(name: string, raw: string, integer = false): number {
  const value = Number(raw);
  if (!(value > 0) || (integer && !Number.isInteger(value))) throw new Error(`--${name}: expected a positive ${integer ? 'integer' : 'number'}, got "${raw}"`);
  return value;
}

/**
 * `--rate`: one number for every workload, or `workload=N,...` (workloads not
 * named run unlimited), because workloads differ in throughput by 20 times.
 */
function parseRate(raw: string | undefined): Record<string, number> | number {
  if (raw === undefined) return 0;
  if (!raw.includes('=')) return positiveNumber('rate', raw);
  const rates: Record<string, number> = {};
  for (const entry of raw.split(',')) {
    const [workload, value] = entry.split('=');
    if (!workload || value === undefined) throw new Error(`--rate: expected N or workload=N,..., got "${raw}"`);
    rates[workload.trim()] = positiveNumber('rate', value.trim());
  }
  return rates;
}

const rateFor = (rate: Record<string, number> | number, workload: string) => (typeof rate === 'number' ? rate : (rate[workload] ?? 0));

function parseOptions() {
  const { values } = parseArgs({
    options: {
      workload: { type: 'string', default: DEFAULT_WORKLOADS },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '2' },
      connections: { type: 'string', default: '16' },
      rate: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      scale: { type: 'string', default: '0.1' },
      seed: { type: 'string', default: '42' },
      configs: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'profile-subgraphs': { type: 'boolean', default: false },
      name: { type: 'string', default: 'latest' },
    },
  });
  return {
    workload: values.workload!,
    durationSec: positiveNumber('duration', values.duration!, true),
    warmupSec: positiveNumber('warmup', values.warmup!, true),
    connections: positiveNumber('connections', values.connections!, true),
    rate: parseRate(values.rate),
    rounds: positiveNumber('rounds', values.rounds!, true),
    scale: positiveNumber('scale', values.scale!),
    seed: Number.parseInt(values.seed!, 10),
    configs: values.configs,
    profile: values.profile!,
    profileSubgraphs: values['profile-subgraphs']!,
    name: resultName(values.name!),
  };
}

type Answer = { status: number; body: { data?: unknown; errors?: unknown[] } };

async function post(url: string, headers: Record<string, string>, request: GraphQLRequest): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(request) });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: { errors: [`not JSON: ${text.slice(0, 200)}`] } };
  }
}

function writeSupergraph(name: string, subgraphs: { name: string; url: string }[]): string {
  const typeDefsOf = new Map(domains.map((domain) => [domain.name, domain.typeDefs]));
  const file = join(WORK_DIR, `supergraph-${name}.graphql`);
  writeFileSync(file, composeOrThrow(subgraphs.map(({ name: subgraph, url }) => ({ name: subgraph, url, typeDefs: typeDefsOf.get(subgraph)! }))));
  return file;
}

function startGateway(config: BenchConfiguration, supergraphFile: string, launchName: string, nodeArgs: string[] = []): Promise<BenchProcess> {
  const launch = config.launch({ supergraphFile, workDir: WORK_DIR, launchName });
  return startProcess({
    label: `gateway ${config.name}`,
    script: launch.script,
    args: launch.args,
    env: gatewayEnv({ APOLLO_TELEMETRY_DISABLED: 'true' }),
    ready: launch.ready,
    nodeArgs: [...(launch.nodeArgs ?? []), ...nodeArgs],
    compiled: true,
  });
}

/** Requests the probe sends (sequentially) before counting, and counts, for a workload with random variables. */
const PROBE_STREAM = 50;

/**
 * What one request of each workload costs the subgraphs and the database, through each configuration:
 * the start of the timed runs' request stream, one request at a time, counted after as many again
 * as warm-up (a workload without random variables: its samples once each, then counted once each).
 */
async function probe(databaseUrl: string, configurations: BenchConfiguration[], workloads: Workload[], headers: Record<string, string>, seed: number) {
  const counting = await startCountingSubgraphs(databaseUrl);
  const supergraphFile = writeSupergraph('probe', counting.subgraphs);
  const results: ProbeResult[] = [];
  try {
    for (const config of configurations) {
      const gateway = await startGateway(config, supergraphFile, `${config.name}-probe`);
      try {
        for (const workload of workloads) {
          const next = requestStream(workload, seed);
          const count = workload.next ? PROBE_STREAM : workload.samples.length;
          for (let i = 0; i < count; i++) await post(gateway.ready, headers, next());
          counting.reset();
          let failures = 0;
          for (let i = 0; i < count; i++) {
            const answer = await post(gateway.ready, headers, next());
            if (answer.status !== 200 || answer.body.errors) failures++;
          }
          if (failures) log(`  probe ${config.name} ${workload.name}: ${failures} of ${count} answers had errors`);
          const bySubgraph = counting.counts();
          for (const entry of Object.values(bySubgraph)) {
            entry.fetches /= count;
            entry.sql /= count;
          }
          const total = (key: 'fetches' | 'sql') => Object.values(bySubgraph).reduce((sum, entry) => sum + entry[key], 0);
          results.push({ workload: workload.name, config: config.name, fetchesPerRequest: total('fetches'), sqlPerRequest: total('sql'), bySubgraph, requests: count });
        }
      } finally {
        await gateway.stop();
      }
      const line = results.filter((result) => result.config === config.name).map((r) => `${r.workload} ${fmt(r.fetchesPerRequest)} fetches/${fmt(r.sqlPerRequest)} SQL`);
      log(`probe ${config.name}: ${line.join(', ')} per request`);
    }
  } finally {
    await counting.stop();
  }
  return results;
}

const fmt = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

/** The reference answers: the first configuration's (the baseline's, when it runs) in round 1. */
const reference = new Map<string, { config: string; data: unknown }>();

async function check(config: BenchConfiguration, workload: Workload, url: string, headers: Record<string, string>): Promise<string> {
  for (const [i, sample] of workload.samples.entries()) {
    const answer = await post(url, headers, sample);
    if (answer.status !== 200) return `sample ${i + 1}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
    if (answer.body.errors) return `sample ${i + 1}: errors ${JSON.stringify(answer.body.errors).slice(0, 300)}`;
    const key = `${workload.name}#${i}`;
    const expected = reference.get(key);
    if (!expected) reference.set(key, { config: config.name, data: answer.body.data });
    else if (!isDeepStrictEqual(expected.data, answer.body.data)) return `sample ${i + 1}: data differs from ${expected.config}'s`;
  }
  return 'ok';
}

async function main() {
  const options = parseOptions();
  const counts = countsFor(options.scale);
  const workloads = selectWorkloads(options.workload, counts);
  if (typeof options.rate === 'object') {
    const unknown = Object.keys(options.rate).filter((name) => !workloads.some((workload) => workload.name === name));
    if (unknown.length) throw new Error(`--rate: ${unknown.join(', ')} is not among the workloads run (${workloads.map((workload) => workload.name).join(', ')})`);
  }
  const configurations = selectConfigurations(options.configs);
  mkdirSync(WORK_DIR, { recursive: true });

  const perGatewayStart = 6;
  const estimateSec = 30 + configurations.length * perGatewayStart + options.rounds * configurations.length * (perGatewayStart + workloads.length * (options.warmupSec + options.durationSec + 1));
  log(`meshgate bench: ${workloads.map((w) => w.name).join(', ')} × ${configurations.map((c) => c.name).join(', ')} × ${options.rounds} rounds, ` +
    `${options.durationSec}s each (+${options.warmupSec}s warm-up), ${options.connections} connections, scale ${options.scale}; about ${Math.ceil(estimateSec / 60)} min`);
  for (const config of configurations) log(`  ${config.name.padEnd(10)} ${config.description}`);
  log(`  requests carry a development token of ${BENCH_PRINCIPAL.sub} (${BENCH_PRINCIPAL.roles?.join(', ')}); the baseline ignores it`);

  if (loadAverage() > cpus().length / 2) {
    log(`warning: the machine is already busy (load average ${loadAverage()} on ${cpus().length} cores); other work distorts every number below`);
  }
  const database = await openDatabase({ scale: options.scale, seed: options.seed });
  log(`database: ${database.description} (scale ${options.scale}: ${counts.orders.toLocaleString('en-US')} orders, ${counts.customers.toLocaleString('en-US')} customers)`);

  // One profile per subgraph process, written when it stops (before the results, see below).
  const subgraphProfileDir = join(WORK_DIR, 'profiles', 'subgraphs');
  rmSync(subgraphProfileDir, { recursive: true, force: true });
  const subgraphs = await Promise.all(
    domains.map((domain) =>
      startProcess({
        label: domain.name,
        script: 'subgraphs/cli.ts',
        args: [domain.name, '--port', '0'],
        // Scheduled data-quality rules would run SQL during the timed windows.
        env: childEnv({ [`DATABASE_URL_${domain.name.toUpperCase()}`]: database.url, MESHGATE_QUALITY_SCHEDULE: 'off' }),
        // The subgraph's pino line: {"msg":"subgraph <name> listening at <url>"}.
        ready: /listening at (https?:\/\/[^\s"]+)/,
        nodeArgs: options.profileSubgraphs ? ['--cpu-prof', `--cpu-prof-dir=${subgraphProfileDir}`] : [],
        compiled: true,
      }),
    ),
  );
  const supergraphFile = writeSupergraph('bench', domains.map((domain, i) => ({ name: domain.name, url: subgraphs[i].ready })));
  const subgraphPids = subgraphs.map((subgraph) => subgraph.pid);
  log(`six subgraphs ready, each in its own process`);

  const headers = await benchCredentials();
  const probeResults = await probe(database.url, configurations, workloads, headers, options.seed);

  const runs: RunRecord[] = [];
  const profiles: { config: string; round: number; summary: ProfileSummary }[] = [];
  for (let round = 1; round <= options.rounds; round++) {
    for (const config of configurations) {
      const profileDir = join(WORK_DIR, 'profiles', `${config.name}-round${round}`);
      rmSync(profileDir, { recursive: true, force: true });
      const gateway = await startGateway(config, supergraphFile, config.name, options.profile ? profileArgs(profileDir) : []);
      try {
        for (const workload of workloads) {
          const label = `round ${round}/${options.rounds} · ${config.name} · ${workload.name}`;
          const checked = await check(config, workload, gateway.ready, headers);
          if (checked !== 'ok') {
            log(`${label}: correctness check FAILED (${checked}); not timed`);
            runs.push({ round, config: config.name, workload: workload.name, check: checked });
            continue;
          }
          log(`${label}: check ok, warm-up ${options.warmupSec}s, timing ${options.durationSec}s`);
          let usage: WindowUsage | undefined;
          const load = await runLoad({
            url: gateway.ready,
            headers,
            workload,
            connections: workload.connections ?? options.connections,
            rate: rateFor(options.rate, workload.name),
            warmupSec: options.warmupSec,
            durationSec: options.durationSec,
            seed: options.seed,
            async onWindow() {
              const watching = await watchWindow({ gateway: gateway.pid, subgraphs: subgraphPids, databasePids: () => database.processes() });
              return async () => {
                usage = await watching.finish();
              };
            },
          });
          const { gateway: used, cpuSec } = usage!;
          runs.push({
            round,
            config: config.name,
            workload: workload.name,
            check: 'ok',
            load,
            gateway: { ...used, cpuMsPerRequest: load.requests ? (used.cpuSec * 1000) / load.requests : NaN },
            cpuSec,
          });
          const foreignShare = cpuSec.foreign / (load.elapsedSec * cpus().length);
          const { p50, p95, p99 } = load.latencyMs;
          log(
            `${label}: ${load.rps.toFixed(1)} req/s, p50/p95/p99 ${p50.toFixed(1)}/${p95.toFixed(1)}/${p99.toFixed(1)} ms, ${load.failures.total} errors, ` +
              `gateway peak RSS ${used.peakRssMb.toFixed(0)} MB, CPU ${used.cpuSec.toFixed(1)} s (${((used.cpuSec * 1000) / Math.max(1, load.requests)).toFixed(2)} ms/req)` +
              (foreignShare > NOISY_SHARE ? `; NOISY: ${(foreignShare * 100).toFixed(0)}% of the machine's CPU went to other work` : '') +
              (load.failures.first ? `\n    first failure: ${load.failures.first}` : ''),
          );
        }
      } finally {
        await gateway.stop();
      }
      for (const file of profilesIn(profileDir)) {
        const summary = summarizeProfile(file);
        profiles.push({ config: config.name, round, summary });
        log(renderProfile(`${config.name} round ${round}`, summary));
      }
      for (const file of profilesIn(profileDir, '.heapprofile')) {
        const summary = summarizeHeapProfile(file);
        profiles.push({ config: config.name, round, summary });
        log(renderHeapProfile(`${config.name} round ${round}`, summary));
      }
    }
  }

  if (options.profileSubgraphs) {
    // Their profiles are written on exit; they have served every timed window by now.
    await Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
    const summary = summarizeProfiles(profilesIn(subgraphProfileDir), subgraphProfileDir, 25);
    profiles.push({ config: 'subgraphs', round: 0, summary });
    log(renderProfile('the six subgraphs together, every round', summary));
  }

  const results: BenchResults = {
    startedAt: new Date(started).toISOString(),
    totalSec: (Date.now() - started) / 1000,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: totalmem() / 2 ** 30, node: process.version, platform: `${process.platform} ${process.arch}` },
    database: { kind: database.kind, description: database.description },
    scale: options.scale,
    seed: options.seed,
    options: { durationSec: options.durationSec, warmupSec: options.warmupSec, connections: options.connections, rate: options.rate, rounds: options.rounds },
    principal: BENCH_PRINCIPAL.sub,
    configurations: configurations.map(({ name, description, comparedTo, budget }) => ({ name, description, comparedTo, budget })),
    workloads: workloads.map(({ name, description, samples, next, connections }) => ({
      name,
      description,
      samples: samples.length,
      randomVariables: Boolean(next),
      connections: connections ?? options.connections,
    })),
    probe: probeResults,
    runs,
    ...(profiles.length ? { profiles } : {}),
    summary: [],
  };
  results.summary = summarize(results);
  await database.stop();
  const name = options.name;
  writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(RESULTS_DIR, `${name}.md`), renderMarkdown(results, `${name}.svg`));
  writeFileSync(join(RESULTS_DIR, `${name}.svg`), renderChart(results));
  process.stdout.write(`\n${renderTerminal(results)}\n`);
  log(`results: bench/results/${name}.json, ${name}.md, ${name}.svg`);

  const failed = runs.filter((run) => run.check !== 'ok' || (run.load?.failures.total ?? 0) > 0);
  if (failed.length) {
    log(`${failed.length} run(s) failed a correctness check or had errors: the numbers above are not valid for them`);
    process.exitCode = 1;
  }
}

let interrupted = false;
process.once('SIGINT', () => {
  interrupted = true;
  log('interrupted: stopping every process the bench started');
  void stopAll().then(() => process.exit(130));
});

main()
  .catch((error) => {
    if (interrupted) return;
    console.error(`bench failed: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    if (interrupted) return;
    await stopAll();
    // Keep-alive sockets to the stopped gateways must not hold the process open.
    process.exit();
  });
