/**
 * Issue 14: Apollo Server's automatic persisted queries let any client
 * register any document by sending it with its hash; meshgate turns that off
 * unless operations.registration is configured. A query sent with its hash
 * runs (for a sandbox role) as the ad-hoc query it is, and the hash alone is
 * still unknown afterwards. With registration configured, the hash alone
 * works the second time, but a registered document never becomes official:
 * a production role is refused it, by text or by hash.
 */
import { startExtraGateway, type TestMesh } from '../harness';
import type { RunningGateway } from '../../gateway/src';
import { ANALYST, ORDER_SERVICE } from '../principals';
import { post, sha256, startOfficialMesh } from '../operations/officialMesh';

let mesh: TestMesh;
let registering: RunningGateway;
beforeAll(async () => {
  mesh = await startOfficialMesh();
  registering = await startExtraGateway(mesh, { operations: { officialOnlyRoles: ['service'], registration: { enabled: true } } });
}, 120_000);
afterAll(async () => {
  await registering?.stop();
  await mesh?.stop();
});

const query = '{ order(id: "3") { id status } }';
const withHash = { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } };
const hashOnly = { extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } };

test('a query sent with its hash runs as an ad-hoc query and registers nothing', async () => {
  const first = await post(mesh.gateway.url, ANALYST, withHash);
  expect(first.status).toBe(200);
  expect(first.body.data.order.id).toBe('3');
  const again = await post(mesh.gateway.url, ANALYST, hashOnly);
  expect(again.status).toBe(404);
  expect(again.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
});

test("a hash that is not the query's is refused, so no text can be filed under another's hash", async () => {
  const answer = await post(mesh.gateway.url, ANALYST, { query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(`${query} `) } } });
  expect(answer.status).toBe(400);
  expect(answer.body.errors[0].message).toMatch(/is not the sha256 of the query sent with it/);
});

test('with registration configured the hash alone runs the second time (the mechanism the default turns off)', async () => {
  expect((await post(registering.url, ANALYST, withHash)).status).toBe(200);
  const again = await post(registering.url, ANALYST, hashOnly);
  expect(again.status).toBe(200);
  expect(again.body.data.order.id).toBe('3');
});

test('a registered document is not official: a production role is refused it by hash and by text', async () => {
  await post(registering.url, ANALYST, withHash);
  for (const body of [hashOnly, withHash]) {
    const answer = await post(registering.url, ORDER_SERVICE, body);
    expect(answer.status).toBe(403);
    expect(answer.body.errors[0].extensions.code).toBe('OPERATION_NOT_OFFICIAL');
  }
});
