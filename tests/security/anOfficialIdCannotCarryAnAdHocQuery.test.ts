/**
 * Issue 14, as an attacker with an official id would try: an official
 * operation's id cannot be combined with a query text of one's own, or with
 * an operationName of another operation, in a POST body or a GET query
 * string, to run an ad-hoc query as a production role. Each is a 400 and no
 * subgraph is asked anything.
 */
import type { TestMesh } from '../harness';
import { ORDER_SERVICE } from '../principals';
import { get, official, post, startOfficialMesh, subgraphRequests } from '../operations/officialMesh';

let mesh: TestMesh;
let revenue: Awaited<ReturnType<typeof official>>;
beforeAll(async () => {
  mesh = await startOfficialMesh();
  revenue = await official('Revenue');
}, 120_000);
afterAll(() => mesh?.stop());
beforeEach(() => mesh.resetReceived());

const smuggled = '{ customers(first: 5) { edges { node { id email } } } }';

test.each([
  ['documentId with a query', () => ({ documentId: revenue.id, query: smuggled }), /Send documentId or query, not both/],
  ['the persistedQuery hash of an official operation with another query', () => ({ query: smuggled, extensions: { persistedQuery: { version: 1, sha256Hash: revenue.id } } }), /is not the sha256 of the query/],
  ['documentId with a persistedQuery hash of another document', () => ({ documentId: revenue.id, extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }), /name different documents/],
  ['documentId with the operationName of another operation', () => ({ documentId: revenue.id, operationName: 'Smuggled' }), /operationName "Smuggled" is not the operation with id/],
])('%s is a 400, nothing fetched', async (_name, body, message) => {
  const answer = await post(mesh.gateway.url, ORDER_SERVICE, body());
  expect(answer.status).toBe(400);
  expect(answer.body.errors[0]).toEqual({ message: expect.stringMatching(message), extensions: { code: 'BAD_REQUEST' } });
  expect(subgraphRequests(mesh)).toBe(0);
});

test('by GET: a documentId with a query parameter, or given twice, is a 400', async () => {
  for (const params of [new URLSearchParams({ documentId: revenue.id, query: smuggled }), new URLSearchParams([['documentId', revenue.id], ['documentId', 'b'.repeat(64)]])]) {
    const answer = await get(mesh.gateway.url, ORDER_SERVICE, params);
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].extensions.code).toBe('BAD_REQUEST');
  }
  expect(subgraphRequests(mesh)).toBe(0);
});

test('a JSON body with the key twice is judged as the gateway will run it (the last one wins in both places)', async () => {
  const body = `{"documentId":"${revenue.id}","query":null,"query":${JSON.stringify(smuggled)}}`;
  const answer = await post(mesh.gateway.url, ORDER_SERVICE, body);
  expect(answer.status).toBe(400);
  expect(subgraphRequests(mesh)).toBe(0);
});
