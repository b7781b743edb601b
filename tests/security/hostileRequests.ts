/**
 * What the tests of small-but-hostile requests share (issue 17 §1): the
 * request shapes, a timer, and "8 at once while /health is probed". The mesh
 * runs in the test process, so a request that blocks the gateway's event loop
 * delays the /health probes by as long: the worst probe is the stall.
 */
import type { TestMesh, GraphQLBody } from '../harness';
import { queryGateway } from '../harness';

export const repeat = (count: number, make: (i: number) => string) => Array.from({ length: count }, (_, i) => make(i)).join(' ');

/** `{ <root> { edges { node { ...F0 } } } }` with F0 … Fn-1 each spreading the next twice; Fn selects `leaf`. */
export function fragmentBomb(type: string, root: string, leaf: string, levels: number): string {
  const fragments = repeat(levels, (i) => `fragment F${i} on ${type} { ...F${i + 1} ...F${i + 1} }`);
  return `{ ${root} { edges { node { ...F0 } } } } ${fragments} fragment F${levels} on ${type} { ${leaf} }`;
}

export async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

export type Answer = { status: number; body: GraphQLBody };

/**
 * Sends `query` `times` at once while probing /health one request after another; the answers, how long all
 * took, and the slowest /health answer (at least one probe is always measured).
 */
export async function underAttack(mesh: TestMesh, query: string, { headers = {}, times = 8, variables }: { headers?: Record<string, string>; times?: number; variables?: Record<string, unknown> } = {}) {
  const health = mesh.gateway.url.replace(/\/graphql$/, '/health');
  let running = true;
  let worstHealthMs = 0;
  const probe = (async () => {
    do {
      const sent = performance.now();
      const response = await fetch(health);
      await response.text();
      if (response.status !== 200) throw new Error(`/health answered ${response.status}`);
      worstHealthMs = Math.max(worstHealthMs, performance.now() - sent);
      await new Promise((resolve) => setTimeout(resolve, 5));
    } while (running);
  })();
  const { value: answers, ms } = await timed(() => Promise.all(Array.from({ length: times }, () => queryGateway(mesh.gateway.url, query, variables, headers))));
  running = false;
  await probe;
  return { answers, ms, worstHealthMs };
}

/** The extensions of the first error, for `expect(...).toMatchObject`. */
export const firstError = (answer: Answer) => answer.body.errors?.[0];
