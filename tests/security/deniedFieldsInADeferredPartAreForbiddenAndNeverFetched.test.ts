/**
 * @defer goes through the same stages as a query (issue 15): a field the principal may not read inside a
 * deferred fragment is FORBIDDEN in that fragment's payload (null, with the rule and the reason), is never
 * requested from its subgraph (the subgraph's request log proves it), and is audited; the first payload
 * carries no error for it. Row-level rules apply to the deferred payload too: an account manager gets the
 * email of their own customer and FORBIDDEN for another's.
 */
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { postDeferred } from '../deferClient';
import { ACCOUNT_MANAGER, ANALYST } from '../principals';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh();
}, 240_000);
afterAll(() => mesh?.stop());

const orderOf = async (customerCondition: string) => {
  const customers = await mesh.db.query<{ id: number }>(`SELECT id FROM customers.customer WHERE ${customerCondition} ORDER BY id`);
  const [order] = await mesh.db.query<{ id: number }>(`SELECT id FROM sales.orders WHERE customer_id = ANY($1::int[]) ORDER BY id LIMIT 1`, [customers.map((c) => c.id)]);
  return String(order.id);
};

// A deferred part's denial is recorded when that part runs, which may be after the answer's first part went out.
const auditedDenials = (path: (string | number)[]) => mesh.auditRecordsWhen((record) => record.kind === 'denial' && JSON.stringify(record.path) === JSON.stringify(path));

test('an analyst: the deferred Customer.name is FORBIDDEN in its payload, never sent to the customers subgraph, and audited', async () => {
  const id = await orderOf('true');
  mesh.resetReceived();
  const answer = await postDeferred(mesh.gateway.url, `query Who { order(id: "${id}") { id total ... @defer(label: "who") { customer { segment name } } } }`, await tokenFor(ANALYST));
  expect(answer.status).toBe(200);
  const [first, second] = answer.parts.map((part) => part.body);
  expect(first).toEqual({ data: { order: { id, total: expect.any(Number) } }, hasNext: true });
  expect(second).toEqual({
    incremental: [
      {
        data: { customer: { segment: expect.any(String), name: null } },
        path: ['order'],
        label: 'who',
        errors: [{ message: expect.stringMatching(/^Not authorized to read Customer\.name/), path: ['order', 'customer', 'name'], extensions: expect.objectContaining({ code: 'FORBIDDEN', rule: expect.any(String) }) }],
      },
    ],
    hasNext: false,
  });
  const asked = mesh.subgraphs.customers.received.map((request) => request.query ?? '');
  expect(asked.some((query) => query.includes('segment'))).toBe(true);
  expect(asked.filter((query) => /\bname\b/.test(query))).toEqual([]);
  expect(await auditedDenials(['order', 'customer', 'name'])).toEqual([expect.objectContaining({ operationName: 'Who', principal: expect.objectContaining({ id: ANALYST.sub }) })]);
});

test("an account manager: the deferred email of their own customer is served, another's is FORBIDDEN", async () => {
  const own = await orderOf(`account_manager = '${ACCOUNT_MANAGER.email}'`);
  const other = await orderOf(`account_manager IS NOT NULL AND account_manager <> '${ACCOUNT_MANAGER.email}'`);
  const headers = await tokenFor(ACCOUNT_MANAGER);
  const query = (id: string) => `{ order(id: "${id}") { id ... @defer { customer { email } } } }`;
  const mine = (await postDeferred(mesh.gateway.url, query(own), headers)).parts[1].body.incremental[0];
  expect(mine).toEqual({ data: { customer: { email: expect.stringContaining('@') } }, path: ['order'] });
  const theirs = (await postDeferred(mesh.gateway.url, query(other), headers)).parts[1].body.incremental[0];
  expect(theirs).toEqual({
    data: { customer: { email: null } },
    path: ['order'],
    errors: [expect.objectContaining({ path: ['order', 'customer', 'email'], extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })],
  });
});
