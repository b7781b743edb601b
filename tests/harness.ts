/**
 * Starts the mesh for a test in a few lines: one in-memory PGlite seeded at a
 * small scale, every domain's subgraph on an ephemeral port, and the gateway
 * in front, all in this process. Each subgraph records the requests it
 * receives (and for which principal), so tests can prove what was and was not
 * fetched. As in production, the gateway signs with its private key and the
 * subgraphs hold only its public key: they answer only requests the gateway
 * signed for them.
 *
 *   const mesh = await startMesh();
 *   const { body } = await mesh.query('{ order(id: "1") { total customer { name } } }');
 *   await mesh.stop();
 */
import { PgliteDb } from '../subgraphs/lib/db';
import { startSubgraphServer, type RunningSubgraph } from '../subgraphs/lib/server';
import { seededPglite } from '../subgraphs/lib/seededSnapshot';
import { TEST_GATEWAY_PUBLIC_KEY, TEST_SEED, TEST_SIGNING_KEY } from '../subgraphs/lib/testing';
import { publicKeyPemOf, importSigningKey } from '../subgraphs/lib/signingKeys';
import type { SignedPrincipal } from '../subgraphs/lib/signing';
import type { SubgraphDefinition } from '../subgraphs/lib/subgraph';
import { domains as allDomains } from '../subgraphs';
import { parseConfig, type GatewayConfigInput } from '../gateway/src/config';
import { startGateway, type RunningGateway } from '../gateway/src';
import { createLogger, type Logger } from '../gateway/src/logger';
import type { DataProductDescriptor } from '../subgraphs/lib/descriptor';
import { developmentJwtConfig } from '../gateway/src/identity/config';
import { signDevelopmentToken, type DevelopmentTokenOptions } from '../gateway/src/identity/devTokens';
import type { AuditRecord } from '../gateway/src/audit/AuditLog';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type ReceivedRequest = { query?: string; variables?: Record<string, unknown>; principal?: SignedPrincipal };

export type TestSubgraph = RunningSubgraph & { received: ReceivedRequest[] };

export type GraphQLBody = { data?: any; errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[]; extensions?: Record<string, any> };

export type TestMesh = {
  db: PgliteDb;
  gateway: RunningGateway;
  subgraphs: Record<string, TestSubgraph>;
  /** The JSON-lines audit log of this mesh's gateway. */
  auditFile: string;
  /** The audit records, once everything recorded so far is written (the log writes in batches). */
  auditRecords(): Promise<AuditRecord[]>;
  /**
   * The audit records that `match`, once there is one, for records made after the answer went out (a deferred part's
   * denial); none if there is still none after `timeoutMs`, so the test's expectation says what is missing.
   */
  auditRecordsWhen(match: (record: AuditRecord) => boolean, timeoutMs?: number): Promise<AuditRecord[]>;
  /** The gateway's private key (PEM) it signs subgraph requests with. */
  signingKey: string;
  /** The public keys the subgraphs trust. */
  gatewayPublicKeys: string[];
  /** Posts a GraphQL request to the gateway. */
  query(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; body: GraphQLBody }>;
  /** Forgets what the subgraphs received so far. */
  resetReceived(): void;
  stop(): Promise<void>;
};

export type MeshOptions = {
  domains?: SubgraphDefinition<any>[];
  seed?: { seed: number; scale: number; now: number };
  /** Gateway config on top of the test defaults (compose mode over the test subgraphs, quiet logs, no cache unless `cache` is given). */
  gateway?: GatewayConfigInput;
  /** The gateway's private key (PEM or JWK); TEST_SIGNING_KEY by default. */
  signingKey?: string;
  /** The public keys the subgraphs trust; the signing key's public key by default. */
  gatewayPublicKeys?: string[];
  /** Descriptors that replace some domains' dataproduct.yaml, by domain, in their subgraph and in the gateway (lifecycle tests change a status this way). */
  descriptors?: Record<string, DataProductDescriptor>;
  /** The gateway's logger (tests that read its logs pass a capturing one); quiet by default. */
  logger?: Logger;
  /** Each subgraph's logger (pino, by domain name); quiet by default. */
  subgraphLogger?: (subgraph: string) => Logger;
};

export async function startMesh(options: MeshOptions = {}): Promise<TestMesh> {
  const domains = options.domains ?? allDomains;
  const signingKey = options.signingKey ?? TEST_SIGNING_KEY;
  const gatewayPublicKeys = options.gatewayPublicKeys ?? (options.signingKey ? [publicKeyPemOf(importSigningKey(signingKey))] : [TEST_GATEWAY_PUBLIC_KEY]);
  const quiet = { write: () => true } as unknown as NodeJS.WriteStream;
  // Seeded once per seed and source, then opened from a snapshot (seededSnapshot.ts).
  const db = new PgliteDb(await seededPglite(domains, { ...(options.seed ?? TEST_SEED), log: quiet }, allDomains), true);

  const subgraphs: Record<string, TestSubgraph> = {};
  for (const domain of domains) {
    const received: ReceivedRequest[] = [];
    const running = await startSubgraphServer(domain, db, {
      gatewayPublicKeys,
      onRequest: (body, { principal }) => received.push({ ...body, principal }),
      dataProduct: { descriptor: options.descriptors?.[domain.name] },
      logger: options.subgraphLogger?.(domain.name),
    });
    subgraphs[domain.name] = { ...running, received };
  }

  const { config, auditFile } = testGatewayConfig(Object.values(subgraphs), signingKey, options.gateway);
  const gateway = await startGateway(config, options.logger ?? createLogger(config.logging.level), { descriptorFor: (name) => options.descriptors?.[name] });
  const auditRecords = async () => {
    await gateway.audit.flush();
    return readAuditFile(auditFile);
  };

  return {
    db,
    gateway,
    subgraphs,
    auditFile,
    auditRecords,
    async auditRecordsWhen(match, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = (await auditRecords()).filter(match);
        if (found.length || Date.now() > deadline) return found;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    signingKey,
    gatewayPublicKeys,
    query: (query, variables, headers) => queryGateway(gateway.url, query, variables, headers),
    resetReceived() {
      for (const subgraph of Object.values(subgraphs)) subgraph.received.splice(0);
    },
    async stop() {
      await gateway.stop();
      await Promise.all(Object.values(subgraphs).map((subgraph) => subgraph.stop()));
      await db.close();
    },
  };
}

/** The records of a JSON-lines audit file: none before the log has written its first batch (the file appears with it). */
export function readAuditFile(file: string): AuditRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditRecord);
}

/**
 * The gateway config of a test: compose mode over the given subgraphs, quiet logs, development tokens, its own
 * audit file, and no cache unless `overrides.cache` is given (then the cache's defaults apply to what it leaves out).
 */
export function testGatewayConfig(subgraphs: { name: string; url: string }[], signingKey: string, overrides: GatewayConfigInput = {}) {
  const auditFile = join(mkdtempSync(join(tmpdir(), 'meshgate-audit-')), 'audit.jsonl');
  const config = parseConfig({
    server: { port: 0 },
    subgraphs: subgraphs.map(({ name, url }) => ({ name, url })),
    logging: { level: 'silent' },
    // Tokens from tokenFor() verify with the development secret; each mesh audits to its own file.
    identity: { jwt: developmentJwtConfig({}) },
    audit: { file: auditFile },
    // Caching is off unless a test asks for it: most tests count what the subgraphs receive.
    cache: { responseCache: { enabled: false }, entityCache: { enabled: false }, dedupe: { enabled: false } },
    ...overrides,
    subgraphRequests: { signingKey, ...overrides.subgraphRequests },
    // Stopping a test mesh does not wait for a load balancer (production mode would keep serving 5 s first).
    shutdown: { readinessGraceMs: 0, ...overrides.shutdown },
  });
  return { config, auditFile };
}

/** Another gateway in front of a mesh's subgraphs, with its own config (e.g. another cache backend). */
export async function startExtraGateway(mesh: TestMesh, overrides: GatewayConfigInput = {}): Promise<RunningGateway> {
  const { config } = testGatewayConfig(Object.values(mesh.subgraphs), mesh.signingKey, overrides);
  return startGateway(config, createLogger(config.logging.level));
}

/** Posts a GraphQL request to a gateway URL. */
export async function queryGateway(url: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as GraphQLBody };
}

/** A development token for a test principal, for the Authorization header of mesh.query(). */
export async function tokenFor(principal: Omit<DevelopmentTokenOptions, 'sub'> & { sub?: string }): Promise<Record<string, string>> {
  const token = await signDevelopmentToken({ sub: principal.sub ?? 'tester', ...principal });
  return { authorization: `Bearer ${token}` };
}
