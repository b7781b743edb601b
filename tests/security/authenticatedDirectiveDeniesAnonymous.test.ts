/**
 * `@authenticated` in a subgraph schema is enforced end to end: with every
 * policy rule allowing, an anonymous request for `Customer.accountManager`
 * (declared `@authenticated` by the customers domain) gets null and FORBIDDEN
 * from the directive, the customers subgraph is never asked for the field, and
 * the denial is audited. An authenticated principal reads it. (Issue 13.)
 */
import { join } from 'node:path';
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ANALYST } from '../principals';

let mesh: TestMesh;

beforeAll(async () => {
  mesh = await startMesh({ gateway: { authorization: { policies: join(__dirname, 'fixtures', 'directivesOnlyPolicy.ts') } } });
});
afterAll(() => mesh?.stop());

const QUERY = '{ customer(id: "1") { id accountManager } }';

test('anonymous: null and FORBIDDEN from @authenticated, never fetched, audited', async () => {
  mesh.resetReceived();
  const { status, body } = await mesh.query(QUERY);
  expect(status).toBe(200);
  expect(body.data).toEqual({ customer: { id: '1', accountManager: null } });
  expect(body.errors).toEqual([expect.objectContaining({ path: ['customer', 'accountManager'], extensions: expect.objectContaining({ code: 'FORBIDDEN', rule: 'directive:@authenticated' }) })]);
  const sent = mesh.subgraphs.customers.received.map((request) => request.query ?? '').join('\n');
  expect(sent).toContain('customer');
  expect(sent).not.toMatch(/accountManager/);
  const records = await mesh.auditRecords();
  expect(records).toContainEqual(expect.objectContaining({ kind: 'denial', rule: 'directive:@authenticated', principal: expect.objectContaining({ kind: 'anonymous' }) }));
});

test('an authenticated principal reads the field', async () => {
  const { body } = await mesh.query('{ customers(first: 50) { edges { node { id accountManager } } } }', undefined, await tokenFor(ANALYST));
  expect(body.errors).toBeUndefined();
  expect(body.data.customers.edges.some((edge: { node: { accountManager: unknown } }) => typeof edge.node.accountManager === 'string')).toBe(true);
});
