/**
 * Issue 15: the row scope applies to each event. An account manager subscribed to every transaction
 * receives those of their own customers only, whichever fields they select (here none that the scope
 * covers in queries); the others are withheld, counted and audited. An analyst, whom the scope does not
 * bind, receives both.
 */
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ACCOUNT_MANAGER, ANALYST } from '../principals';
import { addTransaction, sseClient, until, wsClient, type Event } from '../subscriptions/clients';

let mesh: TestMesh;
let own: number;
let foreign: number;
beforeAll(async () => {
  mesh = await startMesh();
  const [mine] = await mesh.db.query<{ id: number }>(`SELECT id FROM customers.customer WHERE account_manager = $1 ORDER BY id LIMIT 1`, [ACCOUNT_MANAGER.email]);
  const [other] = await mesh.db.query<{ id: number }>(`SELECT id FROM customers.customer WHERE account_manager IS DISTINCT FROM $1 ORDER BY id LIMIT 1`, [ACCOUNT_MANAGER.email]);
  own = mine.id;
  foreign = other.id;
}, 120_000);
afterAll(() => mesh?.stop());

/** Collects the events of a subscription until `count` arrived. */
function collect(events: AsyncIterator<Event>) {
  const received: Event[] = [];
  void (async () => {
    for (;;) {
      const { done, value } = await events.next();
      if (done) return;
      received.push(value);
    }
  })().catch(() => undefined);
  return received;
}

test.each([
  ['graphql-ws', 'ws'],
  ['graphql-sse', 'sse'],
])('%s: an account manager receives only their own customers\' transactions', async (_name, transport) => {
  const headers = await tokenFor(ACCOUNT_MANAGER);
  const client = transport === 'ws' ? wsClient(mesh, headers) : sseClient(mesh, headers);
  const query = `subscription Book { transactionAdded(filter: { types: [TRANSFER] }) { id amount } }`;
  const events = (client as { iterate(request: { query: string }): AsyncIterableIterator<Event> }).iterate({ query });
  const received = collect(events);
  const foreignIds = new Set<string>();
  const ownIds = new Set<string>();
  // Until one of their own arrived: a foreign one committed just before it would have arrived by then.
  await until(async () => {
    foreignIds.add(String(await addTransaction(mesh, { customerId: foreign, type: 'TRANSFER' })));
    ownIds.add(String(await addTransaction(mesh, { customerId: own, type: 'TRANSFER' })));
    await new Promise((resolve) => setTimeout(resolve, 300));
    return received.length > 0;
  });
  const delivered = received.map((event) => event.data.transactionAdded.id);
  expect(delivered.every((id) => ownIds.has(id))).toBe(true);
  expect(delivered.some((id) => foreignIds.has(id))).toBe(false);
  await events.return?.();
  (client as { dispose(): unknown }).dispose();
  await until(async () => (await mesh.auditRecords()).some((record) => record.kind === 'denial' && record.operationName === 'Book' && record.rule === 'customers:rowScope(ownCustomersOfAccountManagers)'));
  const [withheld] = (await mesh.auditRecords()).filter((record) => record.kind === 'denial' && record.operationName === 'Book');
  expect(withheld).toMatchObject({ principal: { id: ACCOUNT_MANAGER.sub }, path: ['transactionAdded'], reason: 'event withheld: account managers see their own customers only' });
});

test('an analyst, whom the scope does not bind, receives both', async () => {
  const client = wsClient(mesh, await tokenFor(ANALYST));
  const events = client.iterate({ query: 'subscription { transactionAdded(filter: { types: [REFUND] }) { id customer { id } } }' });
  const received = collect(events as AsyncIterator<Event>);
  await until(async () => {
    await addTransaction(mesh, { customerId: foreign, type: 'REFUND' });
    await addTransaction(mesh, { customerId: own, type: 'REFUND' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    return received.length >= 2;
  });
  const customers = new Set(received.map((event) => event.data.transactionAdded.customer.id));
  expect(customers).toEqual(new Set([String(own), String(foreign)]));
  await events.return?.();
  await client.dispose();
});
