import { productProfile } from '../lib/scenario';
import { startDomainForTest, TEST_SEED, type DomainUnderTest } from '../lib/testing';
import { sales } from '.';

let domain: DomainUnderTest;
beforeAll(async () => {
  domain = await startDomainForTest(sales);
});
afterAll(() => domain?.stop());

const entities = (typename: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({ __typename: typename, id: String(i + 1) }));

test('100 orders with their lines cost one statement for orders and one for lines', async () => {
  domain.resetQueries();
  const result = await domain.request<any>(
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id total customer { id } lines { amount product { id } } } } }',
    { r: entities('Order', 100) },
  );
  expect(result.errors).toBeUndefined();
  expect(result.data._entities).toHaveLength(100);
  for (const order of result.data._entities) {
    const sum = order.lines.reduce((total: number, line: any) => total + line.amount, 0);
    expect(order.total).toBeCloseTo(sum, 2);
  }
  expect(domain.queries).toHaveLength(2);
});

test("each order line provides its product's catalog name, with no statement beyond the lines'", async () => {
  domain.resetQueries();
  const result = await domain.request<any>(
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { lines { product { id name } } } } }',
    { r: entities('Order', 50) },
  );
  expect(result.errors).toBeUndefined();
  expect(domain.queries).toHaveLength(2);
  const products = result.data._entities.flatMap((order: any) => order.lines.map((line: any) => line.product));
  expect(products.length).toBeGreaterThan(50);
  // The products domain's own name for the product, derived the way its seed derives it.
  for (const product of products) expect(product.name).toBe(productProfile(TEST_SEED, Number(product.id)).name);
});

test('the order lists of 50 customers cost one statement', async () => {
  domain.resetQueries();
  const result = await domain.request<any>(
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id orders(first: 3) { edges { node { id placedAt } } pageInfo { hasNextPage } } } } }',
    { r: entities('Customer', 50) },
  );
  expect(result.errors).toBeUndefined();
  expect(domain.queries).toHaveLength(1);
  for (const customer of result.data._entities) {
    const dates = customer.orders.edges.map((e: any) => e.node.placedAt);
    expect(dates.length).toBeLessThanOrEqual(3);
    expect(dates).toEqual([...dates].sort().reverse());
  }
});

test('a customer order list pages with its own cursor', async () => {
  const first = await domain.request<any>('{ _entities(representations: [{__typename: "Customer", id: "1"}]) { ... on Customer { orderCount orders(first: 2) { edges { node { id } } pageInfo { endCursor } } } } }');
  const customer = first.data._entities[0];
  const next = await domain.request<any>(
    'query($after: String) { _entities(representations: [{__typename: "Customer", id: "1"}]) { ... on Customer { orders(first: 1000, after: $after) { edges { node { id } } } } } }',
    { after: customer.orders.pageInfo.endCursor },
  );
  const ids = [...customer.orders.edges, ...next.data._entities[0].orders.edges].map((e: any) => e.node.id);
  expect(new Set(ids).size).toBe(customer.orderCount);
});

test('sorting by total visits every matching order exactly once', async () => {
  const query = 'query($after: String) { orders(filter: { status: DELIVERED }, first: 97, after: $after, orderBy: { field: TOTAL, direction: ASC }) { totalCount edges { node { id total status } } pageInfo { hasNextPage endCursor } } }';
  const seen: any[] = [];
  let after: string | null = null;
  let totalCount = 0;
  for (let page = 0; page < 50; page++) {
    const { data }: any = await domain.request<any>(query, { after });
    totalCount = data.orders.totalCount;
    seen.push(...data.orders.edges.map((e: any) => e.node));
    if (!data.orders.pageInfo.hasNextPage) break;
    after = data.orders.pageInfo.endCursor;
  }
  expect(seen).toHaveLength(totalCount);
  expect(new Set(seen.map((o) => o.id)).size).toBe(totalCount);
  expect(seen.every((o) => o.status === 'DELIVERED')).toBe(true);
  const totals = seen.map((o) => o.total);
  expect(totals).toEqual([...totals].sort((a, b) => a - b));
});

test('filters by date range and reports revenue', async () => {
  const { data } = await domain.request<any>(
    '{ orders(filter: { placedFrom: "2026-01-01T00:00:00Z", placedTo: "2026-02-01T00:00:00Z" }, first: 1000) { totalCount totalRevenue edges { node { placedAt total status } } } }',
  );
  const nodes = data.orders.edges.map((e: any) => e.node);
  expect(nodes).toHaveLength(data.orders.totalCount);
  expect(nodes.every((o: any) => o.placedAt >= '2026-01-01' && o.placedAt < '2026-02-01')).toBe(true);
  const revenue = nodes.filter((o: any) => !['CANCELLED', 'RETURNED'].includes(o.status)).reduce((s: number, o: any) => s + o.total, 0);
  expect(data.orders.totalRevenue).toBeCloseTo(revenue, 2);
});

test('updateOrderStatus allows forward moves only and reports why', async () => {
  const { data } = await domain.request<any>('{ orders(filter: { status: DELIVERED }, first: 1) { edges { node { id } } } }');
  const id = data.orders.edges[0].node.id;
  const refused: any = await domain.request<any>('mutation($id: ID!) { updateOrderStatus(id: $id, status: PAID) { id } }', { id });
  expect(refused.errors[0].message).toBe(`Order ${id} cannot move from DELIVERED to PAID`);
  const moved = await domain.request<any>('mutation($id: ID!) { updateOrderStatus(id: $id, status: RETURNED) { id status } }', { id });
  expect(moved.data.updateOrderStatus).toEqual({ id, status: 'RETURNED' });
  const missing: any = await domain.request<any>('mutation { updateOrderStatus(id: "99999999", status: PAID) { id } }');
  expect(missing.errors[0].extensions.code).toBe('NOT_FOUND');
});

test('a bad cursor or page size fails only the order lists asked for with it; totals count every page of each customer', async () => {
  domain.resetQueries();
  // The customers of five orders, in one batch: three ask for a good page, two for bad ones.
  const result = await domain.request<any>(`{
    good1: order(id: "1") { customer { id orders(first: 1) { totalCount totalRevenue edges { node { id } } } } }
    good2: order(id: "2") { customer { id orders(first: 1) { totalCount totalRevenue edges { node { id } } } } }
    good3: order(id: "3") { customer { id orders(first: 1) { totalCount totalRevenue edges { node { id } } } } }
    badCursor: order(id: "4") { customer { orders(after: "not-a-cursor") { totalCount } } }
    badSize: order(id: "5") { customer { orders(first: -1) { totalCount } } }
  }`);
  const statements = domain.queries.length;
  const good = ['good1', 'good2', 'good3'].map((key) => result.data[key].customer);
  expect(good.map((customer) => customer.orders.edges.length)).toEqual([1, 1, 1]);
  const counts = await domain.db.query<{ customer_id: number; count: number }>(
    'SELECT customer_id, count(*)::int AS count FROM sales.orders WHERE customer_id = ANY($1::int[]) GROUP BY customer_id',
    [good.map((customer) => Number(customer.id))],
  );
  const countOf = new Map(counts.map((row) => [String(row.customer_id), row.count]));
  expect(good.map((customer) => customer.orders.totalCount)).toEqual(good.map((customer) => countOf.get(customer.id)));
  expect(result.data.badCursor).toBeNull();
  expect(result.data.badSize).toBeNull();
  expect(new Set((result as any).errors.map((error: any) => error.path[0]))).toEqual(new Set(['badCursor', 'badSize']));
  // The five orders, one page statement for the good argument set (the bad ones fail before SQL), one for the totals.
  expect(statements).toBe(3);
});
