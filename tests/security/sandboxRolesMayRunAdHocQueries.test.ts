/**
 * Issue 14: sandbox principals (operations.sandboxRoles: analysts, domain
 * teams) explore with ad-hoc queries while production roles are restricted,
 * and their ad-hoc queries stay under their own, lower limits (the analyst's
 * maxDepth 10), refused and audited as before.
 */
import type { TestMesh } from '../harness';
import { ANALYST, FINANCE_TEAM } from '../principals';
import { post, startOfficialMesh } from '../operations/officialMesh';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startOfficialMesh();
}, 120_000);
afterAll(() => mesh?.stop());

test('an analyst and a domain-team member run ad-hoc queries while the order service may not', async () => {
  for (const principal of [ANALYST, FINANCE_TEAM]) {
    const answer = await post(mesh.gateway.url, principal, { query: '{ order(id: "1") { id status } }' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { order: { id: '1', status: expect.any(String) } } });
  }
});

test("an analyst's ad-hoc query is still held to the analyst's lower limits", async () => {
  const deep = '{ customers(first: 1) { edges { node { orders(first: 1) { edges { node { customer { orders(first: 1) { edges { node { id } } } } } } } } } } }';
  const answer = await post(mesh.gateway.url, ANALYST, { query: deep });
  expect(answer.status).toBe(400);
  expect(answer.body.errors[0]).toMatchObject({ message: expect.stringMatching(/for your role \(analyst\)/), extensions: { code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxDepth', max: 10 } });
});
