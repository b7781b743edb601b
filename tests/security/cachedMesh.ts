/**
 * The mesh with one gateway per cache backend, for the security tests of the
 * caches (issue 17 §2): the in-process LRU and a real Redis node (its own
 * redis-server, started by tests/cache/redisServers.ts, so no test sees
 * another's entries), both in front of the same real subgraphs. `post` sends
 * a plain POST, as a browser or an app does, so repeated requests meet the
 * response shortcut at the front door, and returns the raw text and headers.
 */
import type { RunningGateway } from '../../gateway/src';
import type { GatewayConfigInput } from '../../gateway/src/config';
import { startExtraGateway, startMesh, tokenFor, type MeshOptions, type TestMesh } from '../harness';
import { startRedisServer, type RedisServer } from '../cache/redisServers';

export const BACKENDS = ['memory', 'redis'] as const;
export type Backend = (typeof BACKENDS)[number];

export type Principal = Parameters<typeof tokenFor>[0];

export type CachedMesh = {
  mesh: TestMesh;
  gateways: Record<Backend, RunningGateway>;
  stop(): Promise<void>;
};

export type PlainAnswer = { status: number; headers: Headers; text: string; body: any };

/** The mesh's own gateway is the memory backend's (a gateway start fewer); a test that also needs one without a cache starts it. */
export async function startCachedMesh(options: { mesh?: Omit<MeshOptions, 'gateway'>; gateway?: GatewayConfigInput } = {}): Promise<CachedMesh> {
  const memory = { keyPrefix: 'security-memory' };
  const [mesh, redis] = await Promise.all([startMesh({ ...options.mesh, gateway: { ...options.gateway, cache: memory } }), startRedisServer()]);
  // Local copies off: every hit comes from Redis itself.
  const redisCache = { keyPrefix: 'security-redis', redisUrl: redis.url, redis: { localTtlSec: 0 } };
  const gateways: Record<Backend, RunningGateway> = { memory: mesh.gateway, redis: await startExtraGateway(mesh, { ...options.gateway, cache: redisCache }) };
  return {
    mesh,
    gateways,
    async stop() {
      await gateways.redis.stop();
      await mesh.stop();
      await (redis as RedisServer).dispose();
    },
  };
}

export async function credentialsOf(principal: Principal | null): Promise<Record<string, string>> {
  return principal ? tokenFor(principal) : {};
}

/** A plain POST (no cache-status header): repeated ones can be answered by the response shortcut. */
export async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<PlainAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, headers: response.headers, text, body: parsed };
}

/** A GET with the operation in the query string, as GraphQL over HTTP allows for queries. */
export async function get(url: string, query: string, variables?: unknown, headers: Record<string, string> = {}): Promise<PlainAnswer> {
  const target = new URL(url);
  target.searchParams.set('query', query);
  if (variables !== undefined) target.searchParams.set('variables', JSON.stringify(variables));
  // Apollo Server's CSRF prevention wants a non-simple header on GET.
  const response = await fetch(target, { headers: { 'apollo-require-preflight': 'true', ...headers } });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
}

/** The response shortcut's answers so far (meshgate_cache_front_door_total). */
export async function frontDoorCount(gateway: RunningGateway, outcome: 'hit' | 'deduplicated'): Promise<number> {
  const text = await (await fetch(gateway.url.replace(/\/graphql$/, '/metrics'))).text();
  return Number(text.split('\n').find((line) => line.startsWith(`meshgate_cache_front_door_total{outcome="${outcome}"} `))?.split(' ')[1] ?? 0);
}

/** Every object key in a JSON text's values, at any depth, without recursion. */
export function keysOf(value: unknown): Set<string> {
  const keys = new Set<string>();
  const stack = [value];
  while (stack.length) {
    const current = stack.pop();
    if (current && typeof current === 'object') {
      for (const [key, child] of Object.entries(current)) {
        if (!Array.isArray(current)) keys.add(key);
        stack.push(child);
      }
    }
  }
  return keys;
}
