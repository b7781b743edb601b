/**
 * Starts the mesh for a test in a few lines: one in-memory PGlite seeded at a
 * small scale, every domain's subgraph on an ephemeral port, and the gateway
 * in front, all in this process. Each subgraph records the requests it
 * receives (and for which principal), so tests can prove what was and was not
 * fetched. Subgraphs and gateway share one signing secret, as in production:
 * the subgraphs answer only requests the gateway signed.
 *
 *   const mesh = await startMesh();
 *   const { body } = await mesh.query('{ order(id: "1") { total customer { name } } }');
 *   await mesh.stop();
 */
import { PGlite } from '@electric-sql/pglite';
import { PgliteDb } from '../subgraphs/lib/db';
import { startSubgraphServer, type RunningSubgraph } from '../subgraphs/lib/server';
import { seedDomain } from '../subgraphs/lib/storage';
import { TEST_SEED, TEST_SIGNING_SECRET } from '../subgraphs/lib/testing';
import type { SignedPrincipal } from '../subgraphs/lib/signing';
import type { SubgraphDefinition } from '../subgraphs/lib/subgraph';
import { domains as allDomains } from '../subgraphs';
import { parseConfig, type GatewayConfigInput } from '../gateway/src/config';
import { startGateway, type RunningGateway } from '../gateway/src';
import { createLogger } from '../gateway/src/logger';
import { developmentJwtConfig } from '../gateway/src/identity/config';
import { signDevelopmentToken, type DevelopmentTokenOptions } from '../gateway/src/identity/devTokens';
import { mkdtempSync } from 'node:fs';
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
  /** The secret the subgraphs require and the gateway signs with. */
  signingSecret: string;
  /** Posts a GraphQL request to the gateway. */
  query(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<{ status: number; body: GraphQLBody }>;
  /** Forgets what the subgraphs received so far. */
  resetReceived(): void;
  stop(): Promise<void>;
};

export type MeshOptions = {
  domains?: SubgraphDefinition<any>[];
  seed?: { seed: number; scale: number };
  /** Gateway config on top of the test defaults (compose mode over the test subgraphs, quiet logs). */
  gateway?: GatewayConfigInput;
  /** Shared by the subgraphs and the gateway; TEST_SIGNING_SECRET by default. */
  signingSecret?: string;
};

export async function startMesh(options: MeshOptions = {}): Promise<TestMesh> {
  const domains = options.domains ?? allDomains;
  const signingSecret = options.signingSecret ?? TEST_SIGNING_SECRET;
  const db = new PgliteDb(await PGlite.create(), true);
  const quiet = { write: () => true } as unknown as NodeJS.WriteStream;
  for (const domain of domains) await seedDomain(db, domain, { ...(options.seed ?? TEST_SEED), log: quiet });

  const subgraphs: Record<string, TestSubgraph> = {};
  for (const domain of domains) {
    const received: ReceivedRequest[] = [];
    const running = await startSubgraphServer(domain, db, { signingSecret, onRequest: (body, { principal }) => received.push({ ...body, principal }) });
    subgraphs[domain.name] = { ...running, received };
  }

  const auditFile = join(mkdtempSync(join(tmpdir(), 'meshgate-audit-')), 'audit.jsonl');
  const config = parseConfig({
    server: { port: 0 },
    subgraphs: domains.map((domain) => ({ name: domain.name, url: subgraphs[domain.name].url })),
    logging: { level: 'silent' },
    // Tokens from tokenFor() verify with the development secret; each mesh audits to its own file.
    identity: { jwt: developmentJwtConfig({}) },
    audit: { file: auditFile },
    ...options.gateway,
    subgraphRequests: { signingSecret, ...options.gateway?.subgraphRequests },
  });
  const gateway = await startGateway(config, createLogger(config.logging.level));

  return {
    db,
    gateway,
    subgraphs,
    auditFile,
    signingSecret,
    async query(query, variables, headers = {}) {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, body: (await response.json()) as GraphQLBody };
    },
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

/** A development token for a test principal, for the Authorization header of mesh.query(). */
export async function tokenFor(principal: Omit<DevelopmentTokenOptions, 'sub'> & { sub?: string }): Promise<Record<string, string>> {
  const token = await signDevelopmentToken({ sub: principal.sub ?? 'tester', ...principal });
  return { authorization: `Bearer ${token}` };
}
