/**
 * Issue 14: a production role (operations.officialOnlyRoles: the order
 * service) runs official operations only. Any other document, however it is
 * sent (POST, GET, a batch, a body that is not JSON), is refused with 403
 * OPERATION_NOT_OFFICIAL before it is parsed, nothing reaches a subgraph, and
 * the refusal is an audit record. Its official operations still run, by id or
 * as their exact text; a sandbox role held beside it lifts the restriction.
 */
import type { TestMesh } from '../harness';
import { ORDER_SERVICE } from '../principals';
import { get, official, post, sha256, startOfficialMesh, subgraphRequests } from '../operations/officialMesh';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startOfficialMesh();
}, 120_000);
afterAll(() => mesh?.stop());
beforeEach(() => mesh.resetReceived());

const adHoc = 'query Orders { orders(first: 1) { edges { node { id status } } } }';

test('an ad-hoc query from the order service is refused with 403 OPERATION_NOT_OFFICIAL, unparsed and unfetched, and audited', async () => {
  const answer = await post(mesh.gateway.url, ORDER_SERVICE, { query: adHoc, operationName: 'Orders' }, { 'x-request-id': 'ad-hoc-1' });
  expect(answer.status).toBe(403);
  expect(answer.body.data).toBeUndefined();
  expect(answer.body.errors).toEqual([
    { message: expect.stringMatching(/^This is not an official operation, and your role \(service\) may run official operations only: run one by id \(documentId/), extensions: { code: 'OPERATION_NOT_OFFICIAL' } },
  ]);
  expect(subgraphRequests(mesh)).toBe(0);
  const record = (await mesh.auditRecords()).find((entry) => entry.requestId === 'ad-hoc-1');
  expect(record).toMatchObject({
    kind: 'operation-not-official',
    principal: { id: ORDER_SERVICE.sub, kind: 'service' },
    operationName: 'Orders',
    operationHash: sha256(adHoc),
    rule: 'official operations only',
    reason: expect.stringMatching(/your role \(service\) may run official operations only/),
  });
});

test.each([
  ['GET with a query parameter', () => get(mesh.gateway.url, ORDER_SERVICE, { query: adHoc })],
  ['a batch', () => post(mesh.gateway.url, ORDER_SERVICE, [{ query: adHoc }])],
  ['a body that is not JSON', () => post(mesh.gateway.url, ORDER_SERVICE, adHoc, { 'content-type': 'application/graphql' })],
  ['a subscription over server-sent events', () => post(mesh.gateway.url, ORDER_SERVICE, { query: 'subscription { shipmentStatusChanged { id } }' }, { accept: 'text/event-stream' })],
  ['an official document with one more field', async () => post(mesh.gateway.url, ORDER_SERVICE, { query: (await official('Revenue')).document.replace('conversionCount', 'conversionCount\n    __typename') })],
])('%s is refused too', async (_name, send) => {
  const answer = await send();
  expect(answer.status).toBe(403);
  expect(answer.body.errors[0].extensions.code).toBe('OPERATION_NOT_OFFICIAL');
  expect(subgraphRequests(mesh)).toBe(0);
});

test("the order service's official operations run, by id and as their exact text", async () => {
  const revenue = await official('Revenue');
  const byId = await post(mesh.gateway.url, ORDER_SERVICE, { documentId: revenue.id, variables: { first: 1 } });
  expect(byId.status).toBe(200);
  expect(byId.body.errors).toBeUndefined();
  expect(byId.body.data.campaignPerformance.length).toBeGreaterThan(0);
  const asText = await post(mesh.gateway.url, ORDER_SERVICE, { query: revenue.document, variables: { first: 1 } });
  expect(asText.status).toBe(200);
  expect(asText.body).toEqual(byId.body);
});

test('a sandbox role beside the official-only one lifts the restriction (roles grant)', async () => {
  const answer = await post(mesh.gateway.url, { ...ORDER_SERVICE, roles: ['service', 'analyst'] }, { query: adHoc });
  expect(answer.status).toBe(200);
  expect(answer.body.data.orders.edges).toHaveLength(1);
});

test('with otherPrincipals: official-only, principals without a sandbox role are refused as well (anonymous included)', async () => {
  const strict = await startOfficialMesh({ operations: { otherPrincipals: 'official-only' } });
  try {
    const answer = await post(strict.gateway.url, null, { query: '{ products(first: 1) { edges { node { id } } } }' });
    expect(answer.status).toBe(403);
    expect(answer.body.errors[0].message).toMatch(/anonymous requests may run official operations only/);
  } finally {
    await strict.stop();
  }
}, 120_000);
