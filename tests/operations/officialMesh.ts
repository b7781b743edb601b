/**
 * A mesh for the official operations' tests: the repository's operations/,
 * the order service's role official-only (as in production), and helpers to
 * send raw /graphql requests (POST JSON or GET) as a principal (the audit log: mesh.auditRecords()).
 */
import { createHash } from 'node:crypto';
import type { GatewayConfigInput } from '../../gateway/src/config';
import { loadOfficialOperations, OFFICIAL_OPERATIONS_DIR, type OfficialOperation } from '../../gateway/src/operations/officialOperations';
import { startMesh, tokenFor, type TestMesh } from '../harness';

export type Principal = Parameters<typeof tokenFor>[0];
export type Answer = { status: number; body: any; headers: Headers };

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export async function official(name: string): Promise<OfficialOperation> {
  const found = (await loadOfficialOperations(OFFICIAL_OPERATIONS_DIR)).find((operation) => operation.name === name);
  if (!found) throw new Error(`no official operation ${name}`);
  return found;
}

export function startOfficialMesh(gateway: GatewayConfigInput = {}): Promise<TestMesh> {
  return startMesh({ gateway: { ...gateway, operations: { officialOnlyRoles: ['service'], ...gateway.operations } } });
}

const credentials = async (principal: Principal | null) => (principal ? tokenFor(principal) : {});

export async function post(url: string, principal: Principal | null, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await credentials(principal)), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

export async function get(url: string, principal: Principal | null, params: Record<string, string> | URLSearchParams): Promise<Answer> {
  // apollo-require-preflight: Apollo Server's CSRF prevention lets a GET through with it.
  const response = await fetch(`${url}?${new URLSearchParams(params)}`, { headers: { 'apollo-require-preflight': 'true', ...(await credentials(principal)) } });
  return { status: response.status, body: await response.json(), headers: response.headers };
}

/** How many requests the subgraphs received since the last resetReceived(). */
export const subgraphRequests = (mesh: TestMesh) => Object.values(mesh.subgraphs).reduce((sum, subgraph) => sum + subgraph.received.length, 0);
