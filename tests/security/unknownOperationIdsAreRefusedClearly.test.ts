/**
 * Issue 14: an id that names no official operation is answered 404
 * PERSISTED_QUERY_NOT_FOUND naming the id (the code Apollo Client's
 * persisted-query link knows), in both forms; an id that is not a sha256
 * digest is a 400. Nothing reaches a subgraph, for any principal.
 */
import type { TestMesh } from '../harness';
import { ANALYST, ORDER_SERVICE } from '../principals';
import { get, post, sha256, startOfficialMesh, subgraphRequests } from '../operations/officialMesh';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startOfficialMesh();
}, 120_000);
afterAll(() => mesh?.stop());
beforeEach(() => mesh.resetReceived());

const unknown = sha256('query Nobody { orders { totalCount } }');

test.each([
  ['documentId', () => ({ documentId: unknown })],
  ['documentId with the sha256: prefix', () => ({ documentId: `sha256:${unknown}` })],
  ['the persistedQuery extension', () => ({ extensions: { persistedQuery: { version: 1, sha256Hash: unknown } } })],
])('an unknown id as %s is 404 PERSISTED_QUERY_NOT_FOUND naming it', async (_form, body) => {
  for (const principal of [ANALYST, ORDER_SERVICE]) {
    const answer = await post(mesh.gateway.url, principal, body());
    expect(answer.status).toBe(404);
    expect(answer.body.errors).toEqual([{ message: expect.stringContaining(`No official operation has id ${unknown}`), extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } }]);
  }
  expect(subgraphRequests(mesh)).toBe(0);
});

test('an unknown id by GET is 404 as well', async () => {
  const answer = await get(mesh.gateway.url, ANALYST, { documentId: unknown });
  expect(answer.status).toBe(404);
  expect(answer.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
});

test.each([
  ['a documentId that is not a digest', { documentId: 'Revenue' }, /documentId "Revenue" is not a sha256 id/],
  ['a documentId that is not a string', { documentId: 42 }, /documentId must be a string/],
  ['a persistedQuery of another version', { extensions: { persistedQuery: { version: 2, sha256Hash: unknown } } }, /must be \{ version: 1/],
  ['a persistedQuery hash in upper case', { extensions: { persistedQuery: { version: 1, sha256Hash: unknown.toUpperCase() } } }, /not a sha256 hex digest/],
])('%s is a 400 that says what is wrong', async (_name, body, message) => {
  const answer = await post(mesh.gateway.url, ORDER_SERVICE, body);
  expect(answer.status).toBe(400);
  expect(answer.body.errors[0]).toEqual({ message: expect.stringMatching(message), extensions: { code: 'BAD_REQUEST' } });
  expect(subgraphRequests(mesh)).toBe(0);
});
