/**
 * The gateway's configuration: one zod schema per section, strict (unknown keys
 * are errors), types inferred from it. Loaded from an optional YAML/JSON file,
 * then environment variables, validated once at start-up; an error names the
 * key path, what was expected and what was given, and never echoes a secret.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError, describeIssue } from './configError';
import { AuditConfigSchema } from './audit/createAuditLog';
import { CACHE_ENV_KEYS, CacheConfigSchema } from './cache/config';
import { developmentJwtConfig, IdentityConfigSchema, productionProblems } from './identity/config';
import { LimitsConfigSchema } from './limits/config';
import { CorsConfigSchema } from './http/cors';
import { CompressionConfigSchema } from './http/compression';
import { MetricsConfigSchema } from './metrics/metricsRoute';
import { OperationsConfigSchema, withModeDefaults } from './operations/config';
import { TRACING_ENV_KEYS, TracingConfigSchema } from './telemetry/config';
import { McpConfigSchema } from './mcp/config';
import { SubscriptionsConfigSchema } from './subscriptions/config';
import {
  DEVELOPMENT_SIGNING_KEY,
  KeyProblem,
  readKeyFile,
  RETIRED_SECRET_ENV,
  SIGNING_KEY_ENV,
  SIGNING_KEY_FILE_ENV,
  signingKeyProblem,
  splitKeyList,
  verificationKeyProblem,
} from '../../subgraphs/lib/signingKeys';

const port = z.number().int().min(0).max(65535);

const SubgraphEndpoint = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'a subgraph name: letters, digits, "_" or "-", starting with a letter'),
    url: z.url({ protocol: /^https?$/ }),
  })
  .strict();

const ServerConfig = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(4000),
    /** Largest accepted request body; larger ones get HTTP 413 before any parsing. */
    bodyLimitBytes: z.number().int().positive().default(1_048_576),
    /** Serve the GraphiQL query page at `/`. Default: on in development mode, off in production (it invites ad-hoc queries). */
    queryPage: z.boolean().optional(),
    /** Gateway processes sharing the port (node:cluster), for more than one core; `npm run gateway` only. */
    workers: z.number().int().min(1).max(64).default(1),
    /** Browser origins allowed to call the gateway (CORS); none by default: same origin only. */
    cors: CorsConfigSchema.default(CorsConfigSchema.parse({})),
    /** gzip or br for answers of at least compression.thresholdBytes (never for streamed ones). */
    compression: CompressionConfigSchema.default(CompressionConfigSchema.parse({})),
  })
  .strict();

const SupergraphConfig = z
  .object({
    /**
     * compose: compose `subgraphs` from the local domain schemas at start;
     * file: read a composed supergraph from `file`;
     * introspect: fetch each subgraph's SDL from its URL and compose.
     */
    source: z.enum(['compose', 'file', 'introspect']).default('compose'),
    file: z.string().min(1).optional(),
    /**
     * compose and introspect: poll every subgraph's schema and data-product status this often and
     * recompose on a change (a change that does not compose is refused; the last good supergraph keeps serving).
     */
    pollIntervalMs: z.number().int().min(100).optional(),
  })
  .strict();

const SubgraphRequestsConfig = z
  .object({
    /** Per attempt, for every request the gateway sends to a subgraph. */
    timeoutMs: z.number().int().positive().default(10_000),
    /** Extra attempts for queries (never mutations) after a network error or a 502/503/504. */
    retries: z.number().int().min(0).max(5).default(2),
    retryDelayMs: z.number().int().min(0).default(50),
    /** Kept-alive connections per subgraph (a pool each): the most requests in flight to one subgraph. */
    connectionsPerSubgraph: z.number().int().positive().max(1024).default(64),
    /** Requests in flight per subgraph: `adaptive` follows the subgraph's latency (1 to connectionsPerSubgraph), or a fixed number. */
    concurrency: z.union([z.literal('adaptive'), z.number().int().positive().max(1024)]).default('adaptive'),
    /**
     * The gateway's Ed25519 private key (PKCS#8 PEM or JWK text; MESHGATE_SIGNING_KEY or MESHGATE_SIGNING_KEY_FILE)
     * that signs every subgraph request for that subgraph (subgraphs/lib/signing.ts); the subgraphs hold its public
     * key. The published development key when not given; production refuses it.
     */
    signingKey: z.string().min(1).default(DEVELOPMENT_SIGNING_KEY),
    /** Public keys the gateway signed with before (a rotation): its own catalog subgraph still accepts them (MESHGATE_SIGNING_PREVIOUS_PUBLIC_KEYS). */
    previousPublicKeys: z.array(z.string().min(1)).max(4).default([]),
  })
  .strict();

/** Sandbox analysts get tighter limits than the services built on the graph. */
export const DEFAULT_ROLE_LIMITS = {
  byRole: {
    analyst: { maxDepth: 10, maxCost: 60_000, maxAliases: 20 },
    service: { maxDepth: 15, maxCost: 200_000, maxRootFields: 20 },
  },
};

const AuthorizationConfig = z
  .object({
    /** Off only for measuring the gateway without it (benchmarks); never in production. */
    enabled: z.boolean().default(true),
    /** `mesh` (policies/), `permissive` (allow every field; supergraph directives still apply) or a module path. */
    policies: z.string().min(1).default('mesh'),
    /** Introspection: `always`, `authenticated` principals only, or `never`. Default: always in development, authenticated in production. */
    introspection: z.enum(['always', 'authenticated', 'never']).optional(),
  })
  .strict();

const CatalogConfig = z
  .object({
    /** The data-product catalog: the catalog subgraph (dataProducts, dataProduct), /catalog and /catalog/quality/run. Not with a supergraph file. */
    enabled: z.boolean().default(true),
    /** How long a subgraph's data-product status (freshness, quality) is reused by the catalog and /metrics. */
    statusCacheMs: z.number().int().min(0).default(10_000),
    /** How long to wait for a subgraph's status before showing it as unknown. */
    statusTimeoutMs: z.number().int().positive().default(2000),
  })
  .strict();

const ExecutionConfig = z
  .object({
    /**
     * meshgate: query plans run by meshgate's executor (operations prepared once, precompiled result shaping);
     * apollo: by @apollo/gateway's own executor, as a fallback if ever needed. Planning is @apollo/gateway's either way.
     */
    executor: z.enum(['meshgate', 'apollo']).default('meshgate'),
    /** Operations kept prepared (query plan and response shape) per supergraph; the least recently used go first. */
    preparedOperations: z.number().int().positive().default(1000),
    /**
     * meshgate's rewrites of each query plan, once when an operation is prepared (merged fetches to one subgraph:
     * docs/federation.md). Off: the planner's plans run as they are (the differential test runs both ways).
     */
    planRewrites: z.boolean().default(true),
  })
  .strict();

/** Whole milliseconds from 0 to `max`; the error names the range and the value given. */
const milliseconds = (max: number) => {
  const error = (issue: { input?: unknown }) => `expected whole milliseconds from 0 to ${max}, got ${JSON.stringify(issue.input) ?? String(issue.input)}`;
  return z.number({ error }).int({ error }).min(0, { error }).max(max, { error });
};

/**
 * SIGTERM/SIGINT, in order: /ready answers 503 at once; the gateway keeps serving for readinessGraceMs (load
 * balancers notice and stop sending); then it stops accepting connections and lets requests in flight finish for up
 * to drainTimeoutMs (connections still open after it are closed); then it flushes the audit log and exits 0.
 */
const ShutdownConfig = z
  .object({
    /** How long to keep serving with /ready at 503 before closing the listener. Default: 5000 in production, 0 in development (Ctrl+C stops at once). */
    readinessGraceMs: milliseconds(120_000).optional(),
    /** How long requests in flight may take to finish once the listener is closed. */
    drainTimeoutMs: milliseconds(300_000).default(10_000),
  })
  .strict();

const ApolloConfig = z
  .object({
    /** Usage reporting and telemetry to Apollo's servers: off unless explicitly enabled. */
    telemetry: z.boolean().default(false),
  })
  .strict();

export const ConfigSchema = z
  .object({
    /** development: query page, introspection and error details; production: none of them by default. */
    mode: z.enum(['development', 'production']).default('development'),
    server: ServerConfig.default(ServerConfig.parse({})),
    supergraph: SupergraphConfig.default(SupergraphConfig.parse({})),
    subgraphs: z.array(SubgraphEndpoint).default([]),
    subgraphRequests: SubgraphRequestsConfig.default(SubgraphRequestsConfig.parse({})),
    /** Who is asking: JWT (JWKS or a development secret) and API keys. */
    identity: IdentityConfigSchema.default(IdentityConfigSchema.parse({})),
    authorization: AuthorizationConfig.default(AuthorizationConfig.parse({})),
    /** Operation limits (depth, aliases, root fields, cost, body size), per principal role. */
    limits: LimitsConfigSchema.default(LimitsConfigSchema.parse(DEFAULT_ROLE_LIMITS)),
    audit: AuditConfigSchema.default(AuditConfigSchema.parse({})),
    /** Official operations (operations/), who may run only them, the sandbox roles, run-time registration (off). */
    operations: OperationsConfigSchema.default(OperationsConfigSchema.parse({})),
    /** Response cache, entity cache and in-flight deduplication; Redis or Redis Cluster when configured, in-process otherwise. */
    cache: CacheConfigSchema.default(CacheConfigSchema.parse({})),
    catalog: CatalogConfig.default(CatalogConfig.parse({})),
    execution: ExecutionConfig.default(ExecutionConfig.parse({})),
    apollo: ApolloConfig.default(ApolloConfig.parse({})),
    shutdown: ShutdownConfig.default(ShutdownConfig.parse({})),
    /** /metrics: open, or behind a bearer token (metrics.token, MESHGATE_METRICS_TOKEN); set one in production. */
    metrics: MetricsConfigSchema.default(MetricsConfigSchema.parse({})),
    /** OpenTelemetry traces over OTLP HTTP: off unless tracing.endpoint (MESHGATE_TRACING_ENDPOINT) is set. */
    tracing: TracingConfigSchema.default(TracingConfigSchema.parse({})),
    /** Subscriptions over graphql-ws and graphql-sse: limits per principal, event rate, slow consumers (docs/streaming.md). */
    subscriptions: SubscriptionsConfigSchema.default(SubscriptionsConfigSchema.parse({})),
    /** The assistant endpoint (Model Context Protocol) at /mcp: docs/mcp.md. */
    mcp: McpConfigSchema.default(McpConfigSchema.parse({})),
    logging: z.object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') }).strict().default({ level: 'info' }),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.supergraph.source === 'file' && !config.supergraph.file) {
      ctx.addIssue({ code: 'custom', path: ['supergraph', 'file'], message: 'required when supergraph.source is "file"' });
    }
    if (config.supergraph.source !== 'file' && config.subgraphs.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['subgraphs'], message: `at least one subgraph is required when supergraph.source is "${config.supergraph.source}"` });
    }
    if (config.mode === 'production') {
      if (!config.authorization.enabled) ctx.addIssue({ code: 'custom', path: ['authorization', 'enabled'], message: 'authorization cannot be disabled in production mode' });
      for (const problem of productionProblems(config.identity)) ctx.addIssue({ code: 'custom', path: ['identity', ...problem.path], message: problem.message });
    }
    // Every mode: a key that does not import would fail on the first subgraph request instead of at start-up.
    const keyProblem = signingKeyProblem(config.subgraphRequests.signingKey, config.mode);
    if (keyProblem) ctx.addIssue({ code: 'custom', path: ['subgraphRequests', 'signingKey'], message: keyProblem });
    config.subgraphRequests.previousPublicKeys.forEach((key, index) => {
      const problem = verificationKeyProblem(key, config.mode);
      if (problem) ctx.addIssue({ code: 'custom', path: ['subgraphRequests', 'previousPublicKeys', index], message: problem });
    });
    const names = config.subgraphs.map((subgraph) => subgraph.name);
    const reserved = names.indexOf('catalog');
    if (config.catalog.enabled && reserved >= 0) {
      ctx.addIssue({ code: 'custom', path: ['subgraphs', reserved, 'name'], message: '"catalog" is the gateway\'s own catalog subgraph; give this subgraph another name (or set catalog.enabled: false)' });
    }
    const duplicate = names.find((name, i) => names.indexOf(name) !== i);
    if (duplicate) ctx.addIssue({ code: 'custom', path: ['subgraphs'], message: `subgraph "${duplicate}" is listed twice` });
  })
  // Defaults that follow the mode, resolved once so every reader sees a plain value.
  .transform((config) => ({
    ...config,
    server: { ...config.server, queryPage: config.server.queryPage ?? config.mode === 'development' },
    shutdown: { ...config.shutdown, readinessGraceMs: config.shutdown.readinessGraceMs ?? (config.mode === 'production' ? 5000 : 0) },
    operations: withModeDefaults(config.operations, config.mode),
  }));

export type GatewayConfig = z.infer<typeof ConfigSchema>;
export type GatewayConfigInput = z.input<typeof ConfigSchema>;

export function parseConfig(input: unknown, source = 'config'): GatewayConfig {
  const result = ConfigSchema.safeParse(input ?? {});
  if (!result.success) throw new ConfigError(source, result.error.issues.map(describeIssue));
  return result.data;
}

/** Environment variables that override the file; each maps to one config key. */
/** How an environment variable's text becomes a config value. */
type EnvType = 'string' | 'number' | 'numberOrWord' | 'boolean' | 'list' | 'keyList';

const ENV_KEYS: Record<string, { path: readonly string[]; type: EnvType }> = {
  MESHGATE_MODE: { path: ['mode'], type: 'string' },
  MESHGATE_HOST: { path: ['server', 'host'], type: 'string' },
  MESHGATE_PORT: { path: ['server', 'port'], type: 'number' },
  MESHGATE_WORKERS: { path: ['server', 'workers'], type: 'number' },
  MESHGATE_CORS_ORIGINS: { path: ['server', 'cors', 'allowedOrigins'], type: 'list' },
  MESHGATE_QUERY_PAGE: { path: ['server', 'queryPage'], type: 'boolean' },
  MESHGATE_SUPERGRAPH_FILE: { path: ['supergraph', 'file'], type: 'string' },
  MESHGATE_LOG_LEVEL: { path: ['logging', 'level'], type: 'string' },
  MESHGATE_SUBGRAPH_TIMEOUT_MS: { path: ['subgraphRequests', 'timeoutMs'], type: 'number' },
  MESHGATE_SUBGRAPH_CONCURRENCY: { path: ['subgraphRequests', 'concurrency'], type: 'numberOrWord' },
  MESHGATE_SIGNING_KEY: { path: ['subgraphRequests', 'signingKey'], type: 'string' },
  MESHGATE_SIGNING_PREVIOUS_PUBLIC_KEYS: { path: ['subgraphRequests', 'previousPublicKeys'], type: 'keyList' },
  MESHGATE_EXECUTOR: { path: ['execution', 'executor'], type: 'string' },
  MESHGATE_PLAN_REWRITES: { path: ['execution', 'planRewrites'], type: 'boolean' },
  MESHGATE_METRICS_TOKEN: { path: ['metrics', 'token'], type: 'string' },
  MESHGATE_APOLLO_TELEMETRY: { path: ['apollo', 'telemetry'], type: 'boolean' },
  MESHGATE_SUPERGRAPH_POLL_INTERVAL_MS: { path: ['supergraph', 'pollIntervalMs'], type: 'number' },
  MESHGATE_SHUTDOWN_READINESS_GRACE_MS: { path: ['shutdown', 'readinessGraceMs'], type: 'number' },
  MESHGATE_SHUTDOWN_DRAIN_TIMEOUT_MS: { path: ['shutdown', 'drainTimeoutMs'], type: 'number' },
  MESHGATE_OPERATIONS_DIR: { path: ['operations', 'dir'], type: 'string' },
  MESHGATE_OFFICIAL_ONLY_ROLES: { path: ['operations', 'officialOnlyRoles'], type: 'list' },
  MESHGATE_SANDBOX_ROLES: { path: ['operations', 'sandboxRoles'], type: 'list' },
  ...CACHE_ENV_KEYS,
  ...TRACING_ENV_KEYS,
};

function setPath(target: Record<string, any>, path: readonly string[], value: unknown) {
  let node = target;
  for (const key of path.slice(0, -1)) node = node[key] ??= {};
  node[path[path.length - 1]] = value;
}

function envValue(name: string, raw: string, type: EnvType): unknown {
  if (type === 'string') return raw;
  // A number when it reads as one (`4`), else the word for the schema to judge (`adaptive`).
  if (type === 'numberOrWord') return raw.trim() !== '' && !Number.isNaN(Number(raw)) ? Number(raw) : raw;
  if (type === 'list') return raw.split(',').map((item) => item.trim()).filter(Boolean);
  if (type === 'keyList') return keyListFrom(name, raw);
  if (type === 'number') {
    const value = Number(raw);
    if (raw.trim() === '' || Number.isNaN(value)) throw new ConfigError('environment', [`${name}: expected a number, got "${raw}"`]);
    return value;
  }
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError('environment', [`${name}: expected true or false, got "${raw}"`]);
}

/** PEM blocks or JWKs in one environment variable; the error names the variable, never the keys. */
function keyListFrom(name: string, raw: string): string[] {
  try {
    return splitKeyList(raw);
  } catch (error) {
    throw new ConfigError('environment', [`${name}: ${(error as KeyProblem).message}`]);
  }
}

/** MESHGATE_SIGNING_KEY_FILE (read here, so the key itself is validated like any other config value); the retired shared secret is an error. */
function signingKeyFromEnvironment(env: NodeJS.ProcessEnv, raw: Record<string, any>) {
  if (env[RETIRED_SECRET_ENV]) {
    throw new ConfigError('environment', [
      `${RETIRED_SECRET_ENV}: no longer used; the gateway signs subgraph requests with an Ed25519 private key (${SIGNING_KEY_ENV} or ${SIGNING_KEY_FILE_ENV}) and the subgraphs verify with its public key`,
    ]);
  }
  const file = env[SIGNING_KEY_FILE_ENV];
  if (!file) return;
  if (env[SIGNING_KEY_ENV]) throw new ConfigError('environment', [`${SIGNING_KEY_FILE_ENV}: set either it or ${SIGNING_KEY_ENV}, not both`]);
  try {
    setPath(raw, ['subgraphRequests', 'signingKey'], readKeyFile(SIGNING_KEY_FILE_ENV, file));
  } catch (error) {
    throw new ConfigError('environment', [(error as KeyProblem).message]);
  }
}

export function readConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(path, [`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  try {
    return parseYaml(text) ?? {};
  } catch (error) {
    throw new ConfigError(path, [`not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`]);
  }
}

/**
 * Builds the config from, in increasing precedence: `defaults` (what the command
 * that starts the gateway knows), the file, the environment, and `overrides`
 * (command-line flags).
 */
export function loadConfig(options: {
  file?: string;
  env?: NodeJS.ProcessEnv;
  defaults?: GatewayConfigInput;
  overrides?: (raw: Record<string, any>) => void;
}): GatewayConfig {
  const env = options.env ?? process.env;
  const raw: Record<string, any> = structuredClone(options.defaults ?? {});
  const file = options.file ?? env.MESHGATE_CONFIG;
  if (file) {
    const fromFile = readConfigFile(file);
    if (typeof fromFile !== 'object' || Array.isArray(fromFile)) throw new ConfigError(file, ['(root): expected a mapping of config keys']);
    for (const [key, value] of Object.entries(fromFile as Record<string, unknown>)) {
      raw[key] = value && typeof value === 'object' && !Array.isArray(value) && raw[key] && typeof raw[key] === 'object' ? { ...raw[key], ...value } : value;
    }
  }
  if (env.NODE_ENV === 'production' && !env.MESHGATE_MODE) raw.mode ??= 'production';
  for (const [name, { path, type }] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined) setPath(raw, path, envValue(name, value, type));
  }
  if (env.MESHGATE_SUPERGRAPH_FILE) setPath(raw, ['supergraph', 'source'], 'file');
  signingKeyFromEnvironment(env, raw);
  // Development works out of the box with tokens from `npm run token`; production must configure its identity provider.
  const mode = raw.mode ?? 'development';
  if (mode === 'development' && !raw.identity?.jwt) setPath(raw, ['identity', 'jwt'], developmentJwtConfig(env));
  options.overrides?.(raw);
  return parseConfig(raw, file ? `${file} and environment` : 'defaults and environment');
}
