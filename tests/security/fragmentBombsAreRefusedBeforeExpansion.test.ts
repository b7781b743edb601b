/**
 * Issue 17 §1: a fragment bomb (`fragment Fi { ...F(i+1) ...F(i+1) }`, about
 * 800 bytes for n = 18, 2^n fields once expanded) is refused by the limit on
 * the operation's size after fragment expansion, counted per fragment once
 * (never expanded), before validation, authorization or any subgraph: for
 * anonymous requests, and for an analyst over a denied field (before: 131,073
 * FORBIDDEN errors in 26 s), with one error and nothing asked of a subgraph.
 */
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ANALYST } from '../principals';
import { firstError, fragmentBomb, underAttack } from './hostileRequests';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh();
}, 120_000);
afterAll(() => mesh?.stop());

test.each([18, 30])('n = %i over Product.name, anonymous: 400 maxExpandedFields at once, /health answering', async (levels) => {
  mesh.resetReceived();
  const { answers, ms, worstHealthMs } = await underAttack(mesh, fragmentBomb('Product', 'products(first: 1)', 'name', levels));
  for (const answer of answers) {
    expect(answer.status).toBe(400);
    // products, edges, node, then 2^n copies of name.
    expect(firstError(answer)?.extensions).toEqual({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxExpandedFields', max: 2000, actual: 3 + 2 ** levels });
  }
  expect(Object.values(mesh.subgraphs).every((subgraph) => subgraph.received.length === 0)).toBe(true);
  expect(ms).toBeLessThan(2000);
  expect(worstHealthMs).toBeLessThan(1000);
});

test('a denial bomb for an analyst over Customer.name is refused before authorization: no FORBIDDEN flood', async () => {
  const headers = await tokenFor(ANALYST);
  mesh.resetReceived();
  const { answers, ms } = await underAttack(mesh, fragmentBomb('Customer', 'customers(first: 1)', 'name', 17), { headers });
  for (const answer of answers) {
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toHaveLength(1);
    expect(firstError(answer)?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxExpandedFields', actual: 3 + 2 ** 17 });
    expect(firstError(answer)?.message).toMatch(/for your role \(analyst\)$/);
  }
  expect(Object.values(mesh.subgraphs).every((subgraph) => subgraph.received.length === 0)).toBe(true);
  expect(ms).toBeLessThan(2000);
});

test('a fragment cycle ends: the limits measure it without looping and validation reports the cycle', async () => {
  const { status, body } = await mesh.query('{ products(first: 1) { edges { node { ...A } } } } fragment A on Product { name ...B } fragment B on Product { ...A }');
  expect(status).toBe(400);
  expect(body.errors?.[0].message).toMatch(/Cannot spread fragment "A" within itself via "B"/);
});
