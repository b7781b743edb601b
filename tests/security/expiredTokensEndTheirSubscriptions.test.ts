/**
 * Issue 15: credentials are checked when the connection starts, and a token that expires ends its
 * subscriptions with a clear reason: over graphql-ws the socket closes with 4401 "the token expired",
 * over graphql-sse the stream's last event is UNAUTHENTICATED, then it completes. A bad token never
 * opens a connection (4401 with the reason; SSE: HTTP 401) and is audited.
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ANALYST } from '../principals';
import { sseClient, until, wsClient, type Event } from '../subscriptions/clients';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh();
}, 120_000);
afterAll(() => mesh?.stop());

const SUBSCRIPTION = 'subscription Expiring { transactionAdded { id } }';

test('graphql-ws: the socket closes with 4401 when the token expires, and the subscription ends', async () => {
  const closed: { code: number; reason: string }[] = [];
  const client = wsClient(mesh, await tokenFor({ ...ANALYST, ttlSec: 3 }), (event) => closed.push(event));
  const events = client.iterate({ query: SUBSCRIPTION });
  const outcome = events.next().then(
    (result) => ({ result }),
    (error) => ({ error }),
  );
  await until(() => mesh.gateway.subscriptions!.activeCount === 1);
  await until(() => closed.length > 0, 15_000);
  expect(closed[0].code).toBe(4401);
  expect(closed[0].reason).toMatch(/^Unauthorized: the token expired at /);
  expect(await outcome).toBeDefined();
  await until(() => mesh.gateway.subscriptions!.activeCount === 0);
  const end = (await mesh.auditRecords()).find((record) => record.kind === 'subscription-end' && record.route === 'graphql-ws /graphql');
  expect(end).toMatchObject({ rule: 'UNAUTHENTICATED', reason: expect.stringMatching(/^The token expired at .*; the subscription ended/) });
  await client.dispose();
});

test('graphql-sse: the last event is UNAUTHENTICATED when the token expires, then the stream completes', async () => {
  const client = sseClient(mesh, await tokenFor({ ...ANALYST, ttlSec: 3 }));
  const events = client.iterate({ query: SUBSCRIPTION });
  const received: Event[] = [];
  for await (const event of events) received.push(event);
  expect(received).toEqual([{ errors: [expect.objectContaining({ message: expect.stringMatching(/^The token expired at /), extensions: { code: 'UNAUTHENTICATED' } })] }]);
  client.dispose();
});

test('a bad token never opens a connection: 4401 over graphql-ws, 401 over SSE, audited', async () => {
  const closed: { code: number; reason: string }[] = [];
  const client = createClient({
    url: mesh.gateway.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: 'Bearer not-a-token' },
    retryAttempts: 0,
    on: { closed: (event) => closed.push(event as { code: number; reason: string }) },
  });
  const failed = client.iterate({ query: SUBSCRIPTION }).next().catch((error) => error);
  await until(() => closed.length > 0);
  expect(closed[0].code).toBe(4401);
  expect(closed[0].reason).toMatch(/^Unauthorized: /);
  await failed;
  await client.dispose();
  const response = await fetch(mesh.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: 'Bearer not-a-token' }, body: JSON.stringify({ query: SUBSCRIPTION }) });
  expect(response.status).toBe(401);
  const rejected = (await mesh.auditRecords()).filter((record) => record.kind === 'rejected-credentials');
  expect(rejected.length).toBeGreaterThanOrEqual(2);
  expect(mesh.gateway.subscriptions!.activeCount).toBe(0);
});
