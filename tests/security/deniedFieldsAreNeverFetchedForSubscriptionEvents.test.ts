/**
 * Issue 15: a subscription is authorized like a query, before planning. An analyst's event comes with
 * null and FORBIDDEN at each denied field (a transaction's description and counterparty, a customer's
 * email: personal data); the subgraph request logs prove those fields were never asked for, neither in
 * the subgraph stream nor in the entity fetches of each event; every denial is audited, when it first
 * occurs and with its count when the subscription ends. A principal denied the root field gets
 * FORBIDDEN and no stream is opened.
 */
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ANALYST } from '../principals';
import { addTransaction, nextEventWhileWriting, sseClient, wsClient } from '../subscriptions/clients';

let mesh: TestMesh;
let analyst: Record<string, string>;
beforeAll(async () => {
  mesh = await startMesh();
  analyst = await tokenFor(ANALYST);
}, 120_000);
afterAll(() => mesh?.stop());

const asked = (subgraph: string) => mesh.subgraphs[subgraph].received.map((request) => request.query ?? '').join('\n');

test('an analyst gets FORBIDDEN at denied fields of each event, and no subgraph is asked for them', async () => {
  mesh.resetReceived();
  const client = wsClient(mesh, analyst);
  const events = client.iterate({ query: 'subscription Risky { transactionAdded(filter: { customerId: "21" }) { id amount description counterparty customer { segment email } } }' });
  const event = await nextEventWhileWriting(events, () => addTransaction(mesh, { customerId: 21, description: 'rent, flat 3b' }));
  expect(event.data.transactionAdded).toEqual({ id: expect.any(String), amount: 100, description: null, counterparty: null, customer: { segment: expect.any(String), email: null } });
  const forbidden = (event.errors ?? []).filter((error) => error.extensions?.code === 'FORBIDDEN').map((error) => error.path!.join('.'));
  expect(forbidden.sort()).toEqual(['transactionAdded.counterparty', 'transactionAdded.customer.email', 'transactionAdded.description']);
  // The stream the finance subgraph serves, and every entity fetch of the event's customer.
  expect(asked('finance')).toContain('transactionAdded');
  // The stream was opened signed for finance, on behalf of the analyst (the subgraph verified both).
  expect(mesh.subgraphs.finance.received.find((request) => request.query?.includes('transactionAdded'))?.principal).toMatchObject({ id: ANALYST.sub, roles: ['analyst'] });
  expect(asked('finance')).not.toMatch(/description|counterparty/);
  expect(asked('customers')).toContain('segment');
  expect(asked('customers')).not.toMatch(/\bemail\b/);
  // A second event: the same denials, recorded once each, then summed up with their count when it ends.
  const second = await nextEventWhileWriting(events, () => addTransaction(mesh, { customerId: 21 }));
  expect(second.errors?.filter((error) => error.extensions?.code === 'FORBIDDEN')).toHaveLength(3);
  await events.return?.();
  await client.dispose();
  const wait = Date.now() + 10_000;
  while (!(await mesh.auditRecords()).some((record) => record.kind === 'subscription-end' && record.operationName === 'Risky') && Date.now() < wait) await new Promise((resolve) => setTimeout(resolve, 100));
  const denials = (await mesh.auditRecords()).filter((record) => record.kind === 'denial' && record.operationName === 'Risky');
  expect(denials.every((record) => record.principal.id === ANALYST.sub && record.route === 'graphql-ws /graphql')).toBe(true);
  const description = denials.filter((record) => record.path?.join('.') === 'transactionAdded.description');
  expect(description).toEqual([
    expect.not.objectContaining({ count: expect.anything() }),
    expect.objectContaining({ count: expect.any(Number), reason: expect.stringMatching(/times over the subscription\)$/) }),
  ]);
  expect(description[1].count).toBeGreaterThanOrEqual(2);
  expect(new Set(denials.map((record) => record.path?.join('.')))).toEqual(new Set(['transactionAdded.counterparty', 'transactionAdded.customer.email', 'transactionAdded.description']));
});

test('anonymous: the root field is denied, FORBIDDEN, audited, and no stream is opened', async () => {
  mesh.resetReceived();
  const client = sseClient(mesh);
  const events = client.iterate({ query: 'subscription Anonymous { transactionAdded { id } }' });
  const { value } = await events.next();
  expect(value?.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
  expect(mesh.subgraphs.finance.received).toHaveLength(0);
  client.dispose();
  const records = await mesh.auditRecords();
  expect(records).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'denial', operationName: 'Anonymous', path: ['transactionAdded'], principal: expect.objectContaining({ kind: 'anonymous' }) })]));
});

test('start and end of a subscription are audited, the end with its reason', async () => {
  const client = sseClient(mesh, analyst);
  const events = client.iterate({ query: 'subscription Audited { transactionAdded(filter: { customerId: "22" }) { id } }' });
  await nextEventWhileWriting(events, () => addTransaction(mesh, { customerId: 22 }));
  await events.return?.();
  client.dispose();
  const wait = Date.now() + 10_000;
  let records: any[] = [];
  while (Date.now() < wait) {
    records = (await mesh.auditRecords()).filter((record) => record.operationName === 'Audited');
    if (records.some((record) => record.kind === 'subscription-end')) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(records.map((record) => record.kind)).toEqual(['subscription-start', 'subscription-end']);
  expect(records[0]).toMatchObject({ principal: { id: ANALYST.sub }, route: 'graphql-sse /graphql', reason: 'subscribed to transactionAdded (finance) over graphql-sse' });
  expect(records[1]).toMatchObject({ reason: 'the subscriber ended it', rule: null });
});
