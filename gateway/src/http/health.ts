/**
 * /health answers 200 once a supergraph is loaded and requests are served;
 * /ready also requires every subgraph of the supergraph to answer a trivial
 * query. Load balancers use /health for liveness and /ready for traffic.
 * Once the gateway stops (markDraining), /ready answers 503 "draining" at once,
 * before the listener closes, so a load balancer stops sending.
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

/** Gateways that are stopping; keyed by the gateway so that several in one process (tests) stay apart. */
const draining = new WeakSet<MeshGateway>();

export function markDraining(gateway: MeshGateway) {
  draining.add(gateway);
}

export function sendHealth(res: ServerResponse, gateway: MeshGateway) {
  if (gateway.isLoaded) sendJson(res, 200, { status: 'ok' });
  else sendJson(res, 503, { status: 'starting', reason: 'the supergraph is not loaded yet' });
}

export async function sendReadiness(res: ServerResponse, gateway: MeshGateway, timeoutMs = 2000) {
  if (draining.has(gateway)) return sendJson(res, 503, { status: 'draining', subgraphs: {} }, { connection: 'close' });
  if (!gateway.isLoaded) return sendJson(res, 503, { status: 'starting', subgraphs: {} });
  const entries = [...gateway.subgraphUrls()];
  const problems = await Promise.all(entries.map(([name, url]) => probe(url, timeoutMs, gateway.probeHeaders(name, PROBE_BODY))));
  const subgraphs = Object.fromEntries(entries.map(([name], i) => [name, problems[i] ?? 'ok']));
  const ready = problems.every((problem) => problem === null);
  sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'degraded', subgraphs });
}
