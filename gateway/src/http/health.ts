/**
 * /health answers 200 once a supergraph is loaded and requests are served (the
 * process is alive and not stuck); /ready also requires every subgraph of the
 * supergraph to be able to serve: it answers a trivial query, and its own
 * /health (beside its GraphQL URL) does not say 503, which meshgate's subgraphs
 * say when their database does not answer (subgraphs/lib/health.ts). /ready
 * answers 503 naming the subgraphs that are not. Load balancers use /health for
 * liveness and /ready for traffic.
 *
 * Once the gateway stops (markDraining), /ready answers 503 "draining" at once,
 * before the listener closes, so a load balancer stops sending.
 *
 * It must never let probes multiply load on the subgraphs: concurrent /ready
 * requests share one round of subgraph probes (and each subgraph caches its
 * database check). A subgraph without a /health of its own (any other
 * federated server) is judged by the trivial query alone.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../../../subgraphs/lib/http';
import type { MeshGateway } from '../execution/MeshGateway';

const PROBE_BODY = '{"query":"{ __typename }"}';

async function probe(url: string, timeoutMs: number, headers: Record<string, string>): Promise<string | null> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      // Signed like every subgraph request, or signed subgraphs would answer 401.
      headers: { 'content-type': 'application/json', ...headers },
      body: PROBE_BODY,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return response.ok ? null : `HTTP ${response.status}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : cause?.code ?? (error as Error).message;
  }
}

/**
 * The subgraph's own verdict from GET /health beside its GraphQL URL: only an explicit 503 counts (with the reason
 * it gives). No such route, or one that answers otherwise, says nothing; an unreachable server is the query probe's to report.
 */
async function healthProblem(graphqlUrl: string, timeoutMs: number): Promise<string | null> {
  try {
    const response = await fetch(new URL('/health', graphqlUrl), { signal: AbortSignal.timeout(timeoutMs) });
    if (response.status !== 503) {
      await response.body?.cancel();
      return null;
    }
    const body = (await response.json().catch(() => ({}))) as { reason?: unknown };
    return `unhealthy: ${typeof body.reason === 'string' ? body.reason : 'its /health answers 503'}`;
  } catch {
    return null;
  }
}

/** Why one subgraph cannot serve, or null. */
async function subgraphProblem(gateway: MeshGateway, name: string, url: string, timeoutMs: number): Promise<string | null> {
  const [query, health] = await Promise.all([probe(url, timeoutMs, gateway.probeHeaders(name, PROBE_BODY)), healthProblem(url, timeoutMs)]);
  return query ?? health;
}

type Readiness = { ready: boolean; subgraphs: Record<string, string>; unhealthy: string[] };

async function readinessOf(gateway: MeshGateway, timeoutMs: number): Promise<Readiness> {
  const entries = [...gateway.subgraphUrls()];
  const problems = await Promise.all(entries.map(([name, url]) => subgraphProblem(gateway, name, url, timeoutMs)));
  const unhealthy = entries.filter((_, i) => problems[i] !== null).map(([name]) => name);
  return { ready: unhealthy.length === 0, subgraphs: Object.fromEntries(entries.map(([name], i) => [name, problems[i] ?? 'ok'])), unhealthy };
}

/** Gateways that are stopping; keyed by the gateway so that several in one process (tests) stay apart. */
const draining = new WeakSet<MeshGateway>();
/** The round of subgraph probes in flight per gateway, shared by the /ready requests that arrive meanwhile. */
const inFlight = new WeakMap<MeshGateway, Promise<Readiness>>();

export function markDraining(gateway: MeshGateway) {
  draining.add(gateway);
}

export function isDraining(gateway: MeshGateway): boolean {
  return draining.has(gateway);
}

export function sendHealth(res: ServerResponse, gateway: MeshGateway) {
  if (gateway.isLoaded) sendJson(res, 200, { status: 'ok' });
  else sendJson(res, 503, { status: 'starting', reason: 'the supergraph is not loaded yet' });
}

export async function sendReadiness(res: ServerResponse, gateway: MeshGateway, timeoutMs = 2000) {
  if (draining.has(gateway)) return sendJson(res, 503, { status: 'draining', reason: 'the gateway is shutting down', subgraphs: {} }, { connection: 'close' });
  if (!gateway.isLoaded) return sendJson(res, 503, { status: 'starting', reason: 'the supergraph is not loaded yet', subgraphs: {} });
  let round = inFlight.get(gateway);
  if (!round) {
    round = readinessOf(gateway, timeoutMs).finally(() => inFlight.delete(gateway));
    inFlight.set(gateway, round);
  }
  const { ready, subgraphs, unhealthy } = await round;
  if (ready) return sendJson(res, 200, { status: 'ready', subgraphs });
  sendJson(res, 503, { status: 'degraded', reason: `subgraph${unhealthy.length > 1 ? 's' : ''} ${unhealthy.join(', ')} cannot serve`, unhealthy, subgraphs });
}
