/**
 * Issue 15: a subscriber that stops reading gets a bounded buffer and the stated policy: once
 * subscriptions.maxBufferedEvents events wait for it, its subscription ends with SLOW_CONSUMER (the last
 * message it reads when it reads again), the subgraph stream is closed, and nothing more is held for it.
 * Here over SSE with a raw HTTP client that pauses its socket, and events of about 10 KB (each carries the
 * customer's latest 100 transactions), so the kernel's socket buffers fill quickly.
 */
import { request, type IncomingMessage } from 'node:http';
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ANALYST } from '../principals';
import { addTransaction, until } from '../subscriptions/clients';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh({ gateway: { subscriptions: { maxBufferedEvents: 10, maxEventsPerSecond: 100_000 } } });
}, 120_000);
afterAll(() => mesh?.stop());

const QUERY = 'subscription Flood { transactionAdded(filter: { customerId: "31" }) { id customer { transactions(first: 100) { edges { node { id amount type occurredAt } } } } } }';

test('a consumer that does not read ends with SLOW_CONSUMER; what waits for it stays bounded', async () => {
  const headers = await tokenFor(ANALYST);
  const body = JSON.stringify({ query: QUERY });
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(mesh.gateway.url, { method: 'POST', headers: { ...headers, 'content-type': 'application/json', accept: 'text/event-stream', 'content-length': Buffer.byteLength(body) } }, resolve);
    req.on('error', reject);
    req.end(body);
  });
  expect(response.statusCode).toBe(200);
  response.pause();
  await until(() => mesh.gateway.subscriptions!.activeCount === 1);
  // Make sure the stream is live: commit until the finance subgraph serves it, then flood.
  await until(() => mesh.subgraphs.finance.received.some((received) => received.query?.includes('transactionAdded')));
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (let round = 0; round < 20 && mesh.gateway.subscriptions!.activeCount > 0; round++) {
    await mesh.db.query('BEGIN');
    for (let i = 0; i < 100; i++) await addTransaction(mesh, { customerId: 31 });
    await mesh.db.query('COMMIT');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await until(() => mesh.gateway.subscriptions!.activeCount === 0);
  // Reading again: what was already in the socket's buffers, then the reason, then the end of the stream.
  let text = '';
  response.setEncoding('utf8');
  response.on('data', (chunk) => (text += chunk));
  response.resume();
  await new Promise((resolve) => response.on('end', resolve));
  const events = text.split('\n\n').filter((block) => block.startsWith('event: next')).map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)));
  expect(events.at(-1)).toEqual({ errors: [expect.objectContaining({ extensions: { code: 'SLOW_CONSUMER' } })] });
  expect(events.length).toBeLessThan(2000);
  const end = (await mesh.auditRecords()).find((record) => record.kind === 'subscription-end' && record.operationName === 'Flood');
  expect(end).toMatchObject({ rule: 'SLOW_CONSUMER' });
  const metrics = await (await fetch(mesh.gateway.url.replace('/graphql', '/metrics'))).text();
  expect(metrics).toMatch(/meshgate_subscriptions_ended_total\{product="finance",reason="SLOW_CONSUMER"\} 1/);
});
