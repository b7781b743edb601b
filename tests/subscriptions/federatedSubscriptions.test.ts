/**
 * Issue 15: subscriptions through the gateway with real clients (graphql-ws over a WebSocket, graphql-sse
 * over fetch). Each event's fields from other domains are resolved through the subscription's query plan,
 * and events that arrive together share their entity fetches.
 */
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ANALYST } from '../principals';
import { addTransaction, nextEventWhileWriting, sseClient, until, wsClient } from './clients';

let mesh: TestMesh;
let analyst: Record<string, string>;
beforeAll(async () => {
  mesh = await startMesh();
  analyst = await tokenFor(ANALYST);
}, 120_000);
afterAll(() => mesh?.stop());

test('graphql-ws: a transaction committed by plain SQL arrives with its customer segment from the customers domain', async () => {
  const { body } = await mesh.query('{ customer(id: "7") { segment } }', {}, analyst);
  const client = wsClient(mesh, analyst);
  const events = client.iterate({ query: 'subscription Added { transactionAdded(filter: { customerId: "7", minAmount: 10 }) { id amount type customer { id segment } } }' });
  let last = 0;
  const event = await nextEventWhileWriting(events, async () => (last = await addTransaction(mesh, { customerId: 7, amount: 123.45, type: 'WITHDRAWAL' })));
  expect(event).toEqual({ data: { transactionAdded: { id: expect.any(String), amount: 123.45, type: 'WITHDRAWAL', customer: { id: '7', segment: body.data.customer.segment } } } });
  expect(Number(event.data.transactionAdded.id)).toBeLessThanOrEqual(last);
  await events.return?.();
  await client.dispose();
  await until(() => mesh.gateway.subscriptions!.activeCount === 0);
});

test('graphql-sse: a shipment status change arrives with its order total from the sales domain', async () => {
  const [shipment] = await mesh.db.query<{ id: number; order_id: number; zone_id: number }>(`SELECT id, order_id, zone_id FROM logistics.shipment ORDER BY id LIMIT 1`);
  const { body } = await mesh.query(`{ order(id: "${shipment.order_id}") { total } }`, {}, analyst);
  const client = sseClient(mesh, analyst);
  const events = client.iterate({ query: `subscription { shipmentStatusChanged(zone: "${shipment.zone_id}") { id status order { id total } } }` });
  let flip = false;
  const event = await nextEventWhileWriting(events, () => mesh.db.query(`UPDATE logistics.shipment SET status = $1 WHERE id = $2`, [(flip = !flip) ? 'RETURNED' : 'LOST', shipment.id]));
  expect(event.data.shipmentStatusChanged).toEqual({ id: String(shipment.id), status: expect.stringMatching(/^(RETURNED|LOST)$/), order: { id: String(shipment.order_id), total: body.data.order.total } });
  await events.return?.();
  client.dispose();
});

test('events committed together are federated together: one entity fetch of each distinct customer', async () => {
  const client = wsClient(mesh, analyst);
  const events = client.iterate({ query: 'subscription { transactionAdded(filter: { types: [FEE] }) { id customer { segment } } }' });
  // Once the subscription is live (a first event arrived), commit eight transactions of two customers at once.
  await nextEventWhileWriting(events, () => addTransaction(mesh, { customerId: 11, type: 'FEE' }));
  mesh.resetReceived();
  await mesh.db.query('BEGIN');
  for (let i = 0; i < 8; i++) await addTransaction(mesh, { customerId: i % 2 ? 12 : 13, type: 'FEE' });
  await mesh.db.query('COMMIT');
  const received = [];
  for (let i = 0; i < 8; i++) received.push((await events.next()).value);
  expect(received.every((event) => typeof event.data.transactionAdded.customer.segment === 'string')).toBe(true);
  const fetches = mesh.subgraphs.customers.received.filter((request) => request.query?.includes('_entities'));
  expect(fetches.length).toBeLessThanOrEqual(2);
  expect(fetches.flatMap((request) => (request.variables?.representations as unknown[]) ?? [])).toHaveLength(2 * fetches.length);
  await events.return?.();
  await client.dispose();
});

test('/metrics: active subscriptions, events per data product, delivery latency', async () => {
  const client = wsClient(mesh, analyst);
  const events = client.iterate({ query: 'subscription { transactionAdded(filter: { customerId: "8" }) { id } }' });
  await nextEventWhileWriting(events, () => addTransaction(mesh, { customerId: 8 }));
  const metrics = await (await fetch(mesh.gateway.url.replace('/graphql', '/metrics'))).text();
  expect(metrics).toMatch(/meshgate_subscriptions_active\{product="finance",transport="graphql-ws"\} 1/);
  expect(metrics).toMatch(/meshgate_subscription_events_total\{product="finance",outcome="delivered"\} [1-9]/);
  expect(metrics).toMatch(/meshgate_subscription_delivery_seconds_count\{product="finance"\} [1-9]/);
  expect(metrics).toMatch(/meshgate_subscriptions_ended_total\{product="(finance|logistics)",reason="CLIENT"\} [1-9]/);
  await events.return?.();
  await client.dispose();
});

test('the catalog shows each product\'s subscriptions among the types it contributes', async () => {
  const { body } = await mesh.query('{ finance: dataProduct(id: "finance") { types { name fields { name } } } logistics: dataProduct(id: "logistics") { types { name fields { name } } } }', {}, analyst);
  const subscriptionFields = (product: { types: { name: string; fields: { name: string }[] }[] }) => product.types.find((type) => type.name === 'Subscription')?.fields.map((field) => field.name);
  expect(subscriptionFields(body.data.finance)).toEqual(['transactionAdded', 'transactionUpdated']);
  expect(subscriptionFields(body.data.logistics)).toEqual(['shipmentStatusChanged']);
});
