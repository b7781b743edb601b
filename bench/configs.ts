/**
 * The gateway configurations the benchmark compares, each run in a process of
 * its own. Adding one is one entry: `meshgate(name, description, config)` runs
 * meshgate's own command line (`npm run gateway`) with `config` merged over the
 * benchmark's common settings (each top-level section key by key). Every cache
 * layer is off in the common settings, so a configuration measures caching
 * only when it turns a layer on, as `cache-warm` and `entity-cache` do; the
 * warm-up that precedes every timed run is what warms a cache.
 *
 * `compare.to` names the configuration this one is judged against besides the
 * baseline (authz-on against authz-off is the cost of authorization) and
 * `compare.budget` the largest throughput loss against it that is acceptable.
 * `optional` configurations run only when `--configs` names them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GatewayConfigInput } from '../gateway/src/config';

export type LaunchContext = {
  /** The composed supergraph (the subgraphs' URLs in this run). */
  supergraphFile: string;
  /** Where a configuration may write its files (bench/results/tmp). */
  workDir: string;
  /** A name unique to this launch (the probe and the timed runs use different supergraphs). */
  launchName: string;
};

export type GatewayLaunch = {
  script: string;
  args: string[];
  /** Options for node itself, before the script (V8 flags). */
  nodeArgs?: string[];
  /** Matches the line the process prints once it answers GraphQL; group 1 is its URL. */
  ready: RegExp;
};

export type BenchConfiguration = {
  name: string;
  description: string;
  comparedTo?: string;
  /** The largest throughput loss against `comparedTo` this configuration may cost (0.1 = 10%); the report flags more. */
  budget?: number;
  /** Run only when `--configs` names it. */
  optional?: boolean;
  launch(context: LaunchContext): GatewayLaunch;
};

type EntryOptions = { compare?: { to: string; budget?: number }; optional?: boolean; nodeArgs?: string[] };

/** Every cache layer off (they default on): caching is measured only where a configuration turns it on. */
const NO_CACHE = { responseCache: { enabled: false }, entityCache: { enabled: false }, dedupe: { enabled: false } };

const MESH_POLICIES = { enabled: true, policies: 'mesh' };

/** What every meshgate configuration shares: quiet logs, no query page, its own audit file, no cache. */
function commonConfig(context: LaunchContext): GatewayConfigInput {
  return {
    server: { host: '127.0.0.1', port: 0, queryPage: false },
    logging: { level: 'warn' },
    audit: { file: join(context.workDir, `audit-${context.launchName}.jsonl`) },
    cache: NO_CACHE,
  };
}

/** meshgate with `config` (top-level sections merged over the common ones). */
export function meshgate(name: string, description: string, config: GatewayConfigInput, options: EntryOptions = {}): BenchConfiguration {
  return {
    name,
    description,
    comparedTo: options.compare?.to,
    budget: options.compare?.budget,
    optional: options.optional,
    launch(context) {
      const common = commonConfig(context) as Record<string, any>;
      const merged: Record<string, any> = { ...common };
      for (const [key, value] of Object.entries(config)) {
        merged[key] = value && typeof value === 'object' && !Array.isArray(value) && common[key] ? { ...common[key], ...value } : value;
      }
      const file = join(context.workDir, `gateway-${context.launchName}.json`);
      writeFileSync(file, JSON.stringify(merged, null, 2));
      return {
        script: 'gateway/src/cli/gateway.ts',
        args: ['--config', file, '--supergraph', context.supergraphFile, '--host', '127.0.0.1', '--port', '0'],
        nodeArgs: options.nodeArgs,
        ready: /meshgate listening at (\S+)/,
      };
    },
  };
}

export const CONFIGURATIONS: BenchConfiguration[] = [
  {
    name: 'baseline',
    description:
      'plain @apollo/gateway + @apollo/server standalone, all defaults; only extras: it signs subgraph requests (fixed principal), which the subgraphs require, and loads the supergraph\'s security links as plain features, which it refuses otherwise',
    launch: ({ supergraphFile }) => ({
      script: 'bench/baselineGateway.ts',
      args: ['--supergraph', supergraphFile],
      ready: /baseline gateway listening at (\S+)/,
    }),
  },
  meshgate('authz-off', 'meshgate, authorization.enabled=false, no cache (identity, limits, signing, retries still on)', { authorization: { enabled: false } }),
  meshgate('authz-on', 'meshgate with the mesh policies (policies/), no cache; ADMIN token: nothing denied', { authorization: MESH_POLICIES }, {
    // Issue #6: authorization may cost at most 10% of throughput.
    compare: { to: 'authz-off', budget: 0.1 },
  }),
  meshgate(
    'authz-on-apollo-executor',
    "authz-on with @apollo/gateway's own query-plan executor (execution.executor: apollo), to measure meshgate's PlanExecutor",
    { authorization: MESH_POLICIES, execution: { executor: 'apollo' } },
    { compare: { to: 'authz-on' }, optional: true },
  ),
  meshgate(
    'authz-on-no-rewrites',
    "authz-on with execution.planRewrites off: @apollo/query-planner's plans as they are, to measure meshgate's plan rewrites",
    { authorization: MESH_POLICIES, execution: { planRewrites: false } },
    { compare: { to: 'authz-on' }, optional: true },
  ),
  meshgate(
    'authz-on-v8-heap-growth',
    "authz-on with V8's own old-generation growth (--heap-growing-percent=0) instead of the gateway's 3x (cli/heapGrowth.ts), to measure what that factor costs and saves",
    { authorization: MESH_POLICIES },
    { compare: { to: 'authz-on' }, optional: true, nodeArgs: ['--heap-growing-percent=0'] },
  ),
  meshgate(
    'cache-warm',
    'authz-on with every cache layer (response cache, entity cache, dedupe; in-process), warmed by the warm-up',
    { authorization: MESH_POLICIES, cache: { responseCache: { enabled: true }, entityCache: { enabled: true }, dedupe: { enabled: true } } },
    { compare: { to: 'authz-on' }, optional: true },
  ),
  meshgate(
    'entity-cache',
    'authz-on with the entity cache only (no response cache, no dedupe)',
    { authorization: MESH_POLICIES, cache: { entityCache: { enabled: true } } },
    { compare: { to: 'authz-on' }, optional: true },
  ),
  meshgate(
    'dedupe',
    'authz-on with in-flight deduplication only (no response cache, no entity cache)',
    { authorization: MESH_POLICIES, cache: { dedupe: { enabled: true } } },
    { compare: { to: 'authz-on' }, optional: true },
  ),
  meshgate(
    'tracing-on',
    'authz-on with OpenTelemetry tracing, every trace sampled, exported over OTLP HTTP to BENCH_OTLP_ENDPOINT (a local receiver: bench/otlpSink.ts)',
    { authorization: MESH_POLICIES, tracing: { endpoint: process.env.BENCH_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318/v1/traces', sampleRatio: 1 } },
    { compare: { to: 'authz-on' }, optional: true },
  ),
  meshgate(
    'tracing-10pct',
    'tracing-on with tracing.sampleRatio 0.1: one trace in ten recorded and exported',
    { authorization: MESH_POLICIES, tracing: { endpoint: process.env.BENCH_OTLP_ENDPOINT ?? 'http://127.0.0.1:4318/v1/traces', sampleRatio: 0.1 } },
    { compare: { to: 'authz-on' }, optional: true },
  ),
  // The same two with two gateway worker processes (server.workers), for a machine's second core.
  meshgate('authz-on-w2', 'authz-on with server.workers = 2', { authorization: MESH_POLICIES, server: { workers: 2 } }, { optional: true }),
  meshgate(
    'entity-cache-w2',
    'entity-cache with server.workers = 2 (each worker its own in-process cache)',
    { authorization: MESH_POLICIES, server: { workers: 2 }, cache: { entityCache: { enabled: true } } },
    { compare: { to: 'authz-on-w2' }, optional: true },
  ),
];

/** The configurations a comma-separated `--configs` list names; without one, every configuration not marked optional. */
export function selectConfigurations(spec: string | undefined): BenchConfiguration[] {
  if (!spec) return CONFIGURATIONS.filter((config) => !config.optional);
  return spec.split(',').map((name) => {
    const found = CONFIGURATIONS.find((config) => config.name === name.trim());
    if (!found) throw new Error(`--configs: unknown configuration "${name}"; expected a comma-separated list of ${CONFIGURATIONS.map((c) => c.name).join(', ')}`);
    return found;
  });
}
