/**
 * Real streaming clients for subscription tests: graphql-ws over a real
 * WebSocket (the `ws` package) and graphql-sse over fetch, against a mesh
 * started by tests/harness.ts, plus a writer that commits rows the way any
 * writer does (plain SQL: the triggers of events.sql publish them).
 */
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { createClient as createSseClient, type Client as SseClient } from 'graphql-sse';
import WebSocket from 'ws';
import type { TestMesh } from '../harness';

export type Event = { data?: any; errors?: readonly any[]; extensions?: any };

export function wsClient(mesh: TestMesh, headers: Record<string, string> = {}, onClosed?: (event: { code: number; reason: string }) => void): WsClient {
  return createWsClient({
    url: mesh.gateway.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: headers.authorization ? { Authorization: headers.authorization } : {},
    retryAttempts: 0,
    lazy: true,
    on: { closed: (event) => onClosed?.(event as { code: number; reason: string }) },
  });
}

export function sseClient(mesh: TestMesh, headers: Record<string, string> = {}): SseClient {
  return createSseClient({ url: mesh.gateway.url, headers, retryAttempts: 0 });
}

let nextId = 9_100_000 + Math.floor(Math.random() * 100_000) * 10;

/** Commits one transaction and returns its id. */
export async function addTransaction(mesh: TestMesh, row: { customerId: number; type?: string; amount?: number; description?: string }): Promise<number> {
  const id = nextId++;
  await mesh.db.query(`INSERT INTO finance.transactions (id, customer_id, type, amount, currency, occurred_at, description) VALUES ($1, $2, $3, $4, 'EUR', now(), $5)`, [
    id,
    row.customerId,
    row.type ?? 'DEPOSIT',
    row.amount ?? 100,
    row.description ?? 'test booking',
  ]);
  return id;
}

/**
 * The next event of `events`, committing rows with `write` every 300 ms until it comes: a subscription is
 * listening only some time after it was sent, and a test must not guess how long under load.
 */
export async function nextEventWhileWriting(events: AsyncIterator<any>, write: () => Promise<unknown>, timeoutMs = 30_000): Promise<Event> {
  const next = events.next();
  let settled = false;
  void next.finally(() => (settled = true));
  const end = Date.now() + timeoutMs;
  while (!settled) {
    if (Date.now() > end) throw new Error('no event within the timeout');
    await write();
    await Promise.race([next, new Promise((resolve) => setTimeout(resolve, 300))]);
  }
  const { value, done } = await next;
  if (done) throw new Error('the subscription completed without an event');
  return value;
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 30_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met within the timeout');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
