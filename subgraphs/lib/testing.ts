/**
 * Starts one domain's subgraph on an ephemeral port over a fresh in-memory PGlite
 * seeded at a small scale, and records every SQL statement it runs, so a domain's
 * tests can assert both answers and query counts (batching) in a few lines.
 * The subgraph requires signed requests, as in production; `request()` signs
 * them with TEST_SIGNING_KEY on behalf of an anonymous principal or the one given.
 */
import { generateKeyPairSync } from 'node:crypto';
import { PgliteDb } from './db';
import { ANCHOR, type ScenarioOptions } from './scenario';
import { startSubgraphServer } from './server';
import { signRequest, type SignedPrincipal } from './signing';
import { seededPglite } from './seededSnapshot';
import { domains } from '../index';
import type { SubgraphDefinition } from './subgraph';

/** Tests pin the story's end (ANCHOR) so they can assert exact results. */
export const TEST_SEED = { seed: 42, scale: 0.01, now: ANCHOR };
const testKeys = generateKeyPairSync('ed25519');
/** The test gateway's private key (tests/harness.ts), made per process so it exists nowhere else. */
export const TEST_SIGNING_KEY = testKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
/** What test subgraphs trust: TEST_SIGNING_KEY's public key. */
export const TEST_GATEWAY_PUBLIC_KEY = testKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
export const TEST_ANONYMOUS: SignedPrincipal = { id: 'anonymous', kind: 'anonymous', roles: [], scopes: [], domains: [] };

export type DomainUnderTest = {
  url: string;
  db: PgliteDb;
  /** SQL statements run since the last `resetQueries()`. */
  queries: string[];
  resetQueries(): void;
  request<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    principal?: SignedPrincipal,
  ): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  stop(): Promise<void>;
};

export async function startDomainForTest(definition: SubgraphDefinition<any>, options: ScenarioOptions = TEST_SEED): Promise<DomainUnderTest> {
  const db = new PgliteDb(await seededPglite([definition], options, domains), true);
  const server = await startSubgraphServer(definition, db, { gatewayPublicKeys: [TEST_GATEWAY_PUBLIC_KEY] });
  const queries: string[] = [];
  db.onQuery((sql) => queries.push(sql));
  return {
    url: server.url,
    db,
    queries,
    resetQueries: () => void queries.splice(0),
    async request(query, variables, principal = TEST_ANONYMOUS) {
      const body = JSON.stringify({ query, variables });
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signRequest({ audience: definition.name, principal, body, signingKey: TEST_SIGNING_KEY }) },
        body,
      });
      return (await response.json()) as never;
    },
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
