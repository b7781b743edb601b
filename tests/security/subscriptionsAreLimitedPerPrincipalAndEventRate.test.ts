/**
 * Issue 15: limits apply to subscriptions. A principal holds at most subscriptions.maxPerPrincipal at
 * once (across connections and transports): one more is refused with SUBSCRIPTION_LIMIT_EXCEEDED and
 * audited; once one ends, a new one is accepted. Events over subscriptions.maxEventsPerSecond are
 * dropped before any work, and the next delivered event says how many (never a silent gap). The
 * operation limits of the principal's role apply as for a query, before anything is opened.
 */
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ANALYST } from '../principals';
import { addTransaction, nextEventWhileWriting, sseClient, until, wsClient, type Event } from '../subscriptions/clients';

let mesh: TestMesh;
let analyst: Record<string, string>;
beforeAll(async () => {
  mesh = await startMesh({ gateway: { subscriptions: { maxPerPrincipal: 2, maxEventsPerSecond: 1 } } });
  analyst = await tokenFor(ANALYST);
}, 120_000);
afterAll(() => mesh?.stop());

test('a third subscription of one principal is refused, audited, and accepted once one ended', async () => {
  const ws = wsClient(mesh, analyst);
  const sse = sseClient(mesh, analyst);
  const first = ws.iterate({ query: 'subscription A { transactionAdded { id } }' });
  const second = sse.iterate({ query: 'subscription B { transactionUpdated { id } }' });
  void first.next();
  void second.next();
  await until(() => mesh.gateway.subscriptions!.activeCount === 2);
  const third = ws.iterate({ query: 'subscription C { shipmentStatusChanged { id } }' });
  const refused = await third.next().then(
    () => undefined,
    (errors) => errors,
  );
  expect(refused).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'SUBSCRIPTION_LIMIT_EXCEEDED', limit: 'maxPerPrincipal', max: 2 }) })]);
  const records = await mesh.auditRecords();
  expect(records).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'limit-exceeded', rule: 'subscriptions.maxPerPrincipal', operationName: 'C', principal: expect.objectContaining({ id: ANALYST.sub }) })]));
  await second.return?.();
  sse.dispose();
  await until(() => mesh.gateway.subscriptions!.activeCount === 1);
  const fourth = ws.iterate({ query: 'subscription D { shipmentStatusChanged { id } }' });
  void fourth.next();
  await until(() => mesh.gateway.subscriptions!.activeCount === 2);
  await first.return?.();
  await fourth.return?.();
  await ws.dispose();
  await until(() => mesh.gateway.subscriptions!.activeCount === 0);
});

test('events over the rate are dropped, and the next delivered one says how many', async () => {
  const client = wsClient(mesh, analyst);
  const events = client.iterate({ query: 'subscription Rate { transactionAdded(filter: { customerId: "41" }) { id } }' });
  await nextEventWhileWriting(events, () => addTransaction(mesh, { customerId: 41 }));
  // The bucket holds one event per second: of ten committed together, at most one gets through.
  await mesh.db.query('BEGIN');
  for (let i = 0; i < 10; i++) await addTransaction(mesh, { customerId: 41 });
  await mesh.db.query('COMMIT');
  await new Promise((resolve) => setTimeout(resolve, 1500));
  let marked: Event | undefined;
  for (let i = 0; i < 3 && !marked; i++) {
    const event = await nextEventWhileWriting(events, () => addTransaction(mesh, { customerId: 41 }));
    if (event.extensions?.meshgate?.droppedEvents) marked = event;
  }
  expect(marked!.extensions!.meshgate.droppedEvents).toEqual({ count: expect.any(Number), reason: 'more than subscriptions.maxEventsPerSecond (1) events per second' });
  expect(marked!.extensions!.meshgate.droppedEvents.count).toBeGreaterThanOrEqual(8);
  expect((await mesh.auditRecords()).filter((record) => record.rule === 'subscriptions.maxEventsPerSecond' && record.operationName === 'Rate')).toHaveLength(1);
  await events.return?.();
  await client.dispose();
});

test('the operation limits of the role apply before anything is opened', async () => {
  mesh.resetReceived();
  const aliases = Array.from({ length: 30 }, (_, i) => `a${i}: id`).join(' ');
  const client = sseClient(mesh, analyst);
  const { value } = await client.iterate({ query: `subscription Wide { transactionAdded { ${aliases} } }` }).next();
  expect(value?.errors?.[0]?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxAliases' });
  expect(mesh.subgraphs.finance.received).toHaveLength(0);
  client.dispose();
});
