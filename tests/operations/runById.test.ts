/**
 * Issue 14: clients run an official operation by id, with the GraphQL over
 * HTTP draft's `documentId` (POST or GET) or Apollo's persistedQuery
 * extension, and get what the document's text gets. The id is resolved at
 * the front door, before the response shortcut and the caches: a repeated
 * request by id is answered from the cache, and the same operation by text
 * or by the other form shares the cached result (nothing more is fetched).
 */
import type { TestMesh } from '../harness';
import { ANALYST } from '../principals';
import { get, official, post, startOfficialMesh, subgraphRequests } from './officialMesh';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startOfficialMesh({ cache: {} });
}, 120_000);
afterAll(() => mesh?.stop());

test('documentId, sha256:documentId, the persistedQuery extension and GET documentId all answer as the text does', async () => {
  const late = await official('LateDeliveries');
  const byText = await post(mesh.gateway.url, ANALYST, { query: late.document });
  expect(byText.status).toBe(200);
  expect(byText.body.errors).toBeUndefined();
  expect(byText.body.data.deliveryPerformance.length).toBeGreaterThan(0);
  const forms = [
    () => post(mesh.gateway.url, ANALYST, { documentId: late.id }),
    () => post(mesh.gateway.url, ANALYST, { documentId: `sha256:${late.id}`, operationName: 'LateDeliveries' }),
    () => post(mesh.gateway.url, ANALYST, { extensions: { persistedQuery: { version: 1, sha256Hash: late.id } } }),
    () => get(mesh.gateway.url, ANALYST, { documentId: late.id }),
    () => get(mesh.gateway.url, ANALYST, { extensions: JSON.stringify({ persistedQuery: { version: 1, sha256Hash: late.id } }) }),
  ];
  for (const send of forms) {
    const answer = await send();
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual(byText.body.data);
  }
});

test('variables travel with the id; a repeated request by id is served from the cache, and so is the same operation by text', async () => {
  const revenue = await official('Revenue');
  const first = await post(mesh.gateway.url, ANALYST, { documentId: revenue.id, variables: { first: 2 } });
  expect(first.status).toBe(200);
  expect(first.body.data.campaignPerformance[0].conversions.edges.length).toBeLessThanOrEqual(2);
  mesh.resetReceived();
  const again = await post(mesh.gateway.url, ANALYST, { documentId: revenue.id, variables: { first: 2 } });
  const byHash = await post(mesh.gateway.url, ANALYST, { extensions: { persistedQuery: { version: 1, sha256Hash: revenue.id } }, variables: { first: 2 } });
  const byText = await post(mesh.gateway.url, ANALYST, { query: revenue.document, variables: { first: 2 } });
  for (const answer of [again, byHash, byText]) expect(answer.body).toEqual(first.body);
  expect(subgraphRequests(mesh)).toBe(0);
  // Other variables are another request: fetched, not served from the first's entry.
  const other = await post(mesh.gateway.url, ANALYST, { documentId: revenue.id, variables: { first: 1 } });
  expect(other.body.data.campaignPerformance[0].conversions.edges.length).toBeLessThanOrEqual(1);
  expect(subgraphRequests(mesh)).toBeGreaterThan(0);
});

test("an official operation by id is authorized as its text is: the finance team's CustomerRisk by id gets FORBIDDEN for campaignPerformance", async () => {
  const { FINANCE_TEAM } = await import('../principals');
  const risk = await official('CustomerRisk');
  const answer = await post(mesh.gateway.url, FINANCE_TEAM, { documentId: risk.id });
  expect(answer.status).toBe(200);
  expect(answer.body.data.customer.name).toEqual(expect.any(String));
  expect(answer.body.data.campaignPerformance).toBeNull();
  expect(answer.body.errors.map((error: any) => [error.path?.[0], error.extensions.code])).toEqual([['campaignPerformance', 'FORBIDDEN']]);
});
