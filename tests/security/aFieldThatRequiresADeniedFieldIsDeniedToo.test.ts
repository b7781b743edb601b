/**
 * `@requires` is a read (gateway/src/authorization/requirements.ts): finance's
 * `Order.amountDue @requires(fields: "total status")` is computed from the
 * order's total, which the gateway fetches from sales and sends to finance.
 * Under a policy where analysts may not read `Order.total`, an analyst who
 * asks for `amountDue` must learn nothing of the total through it: the field is
 * refused before planning with the requirement named in the rule, sales is
 * never asked for the total, finance never for amountDue, and the denial is
 * audited. Whoever may read the total gets the amount due.
 */
import { join } from 'node:path';
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ADMIN, ANALYST } from '../principals';

let mesh: TestMesh;

beforeAll(async () => {
  mesh = await startMesh({ gateway: { authorization: { policies: join(__dirname, 'fixtures', 'orderTotalsHiddenFromAnalysts.ts') } } });
}, 120_000);
afterAll(() => mesh?.stop());

const QUERY = '{ orders(first: 5) { edges { node { id status amountDue } } } }';
const sentTo = (subgraph: keyof TestMesh['subgraphs']) => mesh.subgraphs[subgraph].received.map((request) => request.query ?? '').join('\n');

test('an analyst asking for amountDue is refused through the total it requires; neither field is fetched; audited', async () => {
  mesh.resetReceived();
  const { status, body } = await mesh.query(QUERY, undefined, await tokenFor(ANALYST));
  expect(status).toBe(200);
  expect(body.errors).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        path: ['orders', 'edges', 0, 'node', 'amountDue'],
        extensions: expect.objectContaining({ code: 'FORBIDDEN', rule: 'requires(Order.total):sales:Order.total' }),
      }),
    ]),
  );
  expect(sentTo('sales')).toContain('orders');
  expect(sentTo('sales')).not.toMatch(/\btotal\b/);
  expect(sentTo('finance')).not.toMatch(/amountDue/);
  const records = await mesh.auditRecords();
  expect(records).toContainEqual(expect.objectContaining({ kind: 'denial', rule: 'requires(Order.total):sales:Order.total', principal: expect.objectContaining({ id: ANALYST.sub }) }));
});

test('the analyst may still read the fields amountDue does not need, and is refused the total itself', async () => {
  const { body } = await mesh.query('{ orders(first: 2) { edges { node { id status total } } } }', undefined, await tokenFor(ANALYST));
  expect(body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN', rule: 'sales:Order.total' }) })]));
});

test('a principal who may read the total gets the amount due, computed from the total fetched for it', async () => {
  mesh.resetReceived();
  const { body } = await mesh.query(QUERY, undefined, await tokenFor(ADMIN));
  expect(body.errors).toBeUndefined();
  const nodes = body.data.orders.edges.map((edge: { node: { amountDue: unknown } }) => edge.node);
  expect(nodes).toHaveLength(5);
  for (const node of nodes) expect(typeof node.amountDue).toBe('number');
  expect(sentTo('sales')).toMatch(/\btotal\b/);
  expect(sentTo('finance')).toMatch(/amountDue/);
});
