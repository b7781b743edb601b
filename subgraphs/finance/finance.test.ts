import { startDomainForTest, TEST_SEED, type DomainUnderTest } from '../lib/testing';
import { financeSeedData } from './seed';
import { finance } from '.';

let domain: DomainUnderTest;
beforeAll(async () => {
  domain = await startDomainForTest(finance);
});
afterAll(() => domain?.stop());

const entities = (typename: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({ __typename: typename, id: String(i + 1) }));

/** Follows `endCursor` until the last page; returns every node and the last page's connection. */
async function allPages(field: string, args: string, selection: string, pageSize = 500) {
  const query = `query($after: String) { ${field}(${args} first: ${pageSize}, after: $after) { totalCount edges { node { ${selection} } } pageInfo { hasNextPage endCursor } } }`;
  const nodes: any[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page++) {
    const result: any = await domain.request<any>(query, { after });
    expect(result.errors).toBeUndefined();
    const connection: any = result.data[field];
    nodes.push(...connection.edges.map((edge: any) => edge.node));
    if (!connection.pageInfo.hasNextPage) return { nodes, totalCount: connection.totalCount as number };
    after = connection.pageInfo.endCursor;
  }
  throw new Error('too many pages');
}

test('100 Order references with their payments cost one SQL statement', async () => {
  domain.resetQueries();
  const result = await domain.request<any>(
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id payment { id amount status method paidAt refundedAt order { id } } } } }',
    { r: entities('Order', 100) },
  );
  expect(result.errors).toBeUndefined();
  expect(domain.queries).toHaveLength(1);
  const orders = result.data._entities;
  expect(orders.map((order: any) => order.id)).toEqual(entities('Order', 100).map((r) => r.id));
  const paid = orders.filter((order: any) => order.payment);
  expect(paid.length).toBeGreaterThan(90);
  for (const order of paid) {
    expect(order.payment.order.id).toBe(order.id);
    expect(order.payment.amount).toBeGreaterThan(0);
    expect(order.payment.refundedAt === null).toBe(order.payment.status !== 'REFUNDED');
  }
});

test('the transaction pages of 100 customers cost one statement, and their totals one more', async () => {
  domain.resetQueries();
  const result = await domain.request<any>(
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id transactions(first: 5) { edges { node { id occurredAt customer { id } } } pageInfo { hasNextPage } } } } }',
    { r: entities('Customer', 100) },
  );
  expect(result.errors).toBeUndefined();
  expect(domain.queries).toHaveLength(1);
  for (const customer of result.data._entities) {
    const nodes = customer.transactions.edges.map((edge: any) => edge.node);
    expect(nodes.length).toBeGreaterThan(0);
    expect(nodes.length).toBeLessThanOrEqual(5);
    expect(nodes.every((node: any) => node.customer.id === customer.id)).toBe(true);
    const times = nodes.map((node: any) => node.occurredAt);
    expect(times).toEqual([...times].sort().reverse());
  }

  domain.resetQueries();
  const withTotals = await domain.request<any>(
    'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { transactions(first: 5) { totalCount totalAmount edges { node { id } } } transactionSummary { count } } } }',
    { r: entities('Customer', 100) },
  );
  expect(withTotals.errors).toBeUndefined();
  // The page, then one statement for the totals (shared by the summary, which has the same filter).
  expect(domain.queries).toHaveLength(2);
  for (const customer of withTotals.data._entities) expect(customer.transactions.totalCount).toBe(customer.transactionSummary.count);
});

test('filters by type and date range return only matching rows', async () => {
  const from = '2025-06-01T00:00:00.000Z';
  const to = '2026-01-01T00:00:00.000Z';
  const { nodes, totalCount } = await allPages(
    'transactions',
    `filter: { types: [WITHDRAWAL, FEE], from: "${from}", to: "${to}", minAmount: 10 },`,
    'id type amount occurredAt',
  );
  expect(totalCount).toBeGreaterThan(20);
  expect(nodes).toHaveLength(totalCount);
  for (const node of nodes) {
    expect(['WITHDRAWAL', 'FEE']).toContain(node.type);
    expect(node.occurredAt >= from && node.occurredAt < to).toBe(true);
    expect(node.amount).toBeGreaterThanOrEqual(10);
  }
  const customer = await domain.request<any>(
    `{ _entities(representations: [{ __typename: "Customer", id: "1" }]) { ... on Customer { transactions(filter: { types: [REFUND, PAYMENT], from: "${from}" }, first: 1000) { totalCount edges { node { type occurredAt order { id } customer { id } } } } } } }`,
  );
  const own = customer.data._entities[0].transactions;
  expect(own.edges).toHaveLength(own.totalCount);
  for (const { node } of own.edges) {
    expect(['REFUND', 'PAYMENT']).toContain(node.type);
    expect(node.occurredAt >= from).toBe(true);
    expect(node.customer.id).toBe('1');
    expect(node.order).not.toBeNull();
  }
});

test.each([
  ['AMOUNT', 'ASC', (a: any, b: any) => a.amount - b.amount || Number(a.id) - Number(b.id)],
  ['OCCURRED_AT', 'DESC', (a: any, b: any) => b.occurredAt.localeCompare(a.occurredAt) || Number(b.id) - Number(a.id)],
])('cursor pagination by %s %s visits every row exactly once, in order', async (field, direction, compare) => {
  const { nodes, totalCount } = await allPages('transactions', `orderBy: { field: ${field}, direction: ${direction} },`, 'id amount occurredAt', 173);
  expect(totalCount).toBeGreaterThan(1000);
  expect(nodes).toHaveLength(totalCount);
  expect(new Set(nodes.map((node) => node.id)).size).toBe(totalCount);
  expect(nodes).toEqual([...nodes].sort(compare));
});

test('totals by type agree with the rows, and the summary with the totals', async () => {
  const filter = 'filter: { from: "2026-01-01T00:00:00Z", to: "2026-04-01T00:00:00Z" }';
  const { data } = await domain.request<any>(
    `{ transactions(${filter}, first: 1000) { totalCount totalAmount totalsByType { type count amount } edges { node { type amount } } }
       transactionSummary(${filter}) { count totalAmount deposits withdrawals net byType { type count amount } firstAt lastAt } }`,
  );
  const { transactions, transactionSummary: summary } = data;
  expect(transactions.edges).toHaveLength(transactions.totalCount);
  const expected = new Map<string, { count: number; amount: number }>();
  for (const { node } of transactions.edges) {
    const total = expected.get(node.type) ?? { count: 0, amount: 0 };
    expected.set(node.type, { count: total.count + 1, amount: total.amount + node.amount });
  }
  expect(transactions.totalsByType.map((t: any) => t.type).sort()).toEqual([...expected.keys()].sort());
  for (const total of transactions.totalsByType) {
    expect(total.count).toBe(expected.get(total.type)!.count);
    expect(total.amount).toBeCloseTo(expected.get(total.type)!.amount, 2);
  }
  const sum = transactions.edges.reduce((s: number, { node }: any) => s + node.amount, 0);
  expect(transactions.totalAmount).toBeCloseTo(sum, 2);
  expect(summary.count).toBe(transactions.totalCount);
  expect(summary.byType).toEqual(transactions.totalsByType);
  const amountOf = (type: string) => expected.get(type)?.amount ?? 0;
  expect(summary.deposits).toBeCloseTo(amountOf('DEPOSIT'), 2);
  expect(summary.withdrawals).toBeCloseTo(amountOf('WITHDRAWAL'), 2);
  const net = amountOf('DEPOSIT') + amountOf('REFUND') - amountOf('WITHDRAWAL') - amountOf('PAYMENT') - amountOf('TRANSFER') - amountOf('FEE');
  expect(summary.net).toBeCloseTo(net, 2);
  expect(summary.firstAt >= '2026-01-01' && summary.lastAt < '2026-04-01').toBe(true);
});

test('anomalousTransactions finds every injected anomaly, and anomalies are a small share', async () => {
  const injected = financeSeedData(TEST_SEED).transactions.filter((t) => t.injected).map((t) => String(t.id));
  expect(injected.length).toBeGreaterThan(0);
  const { nodes, totalCount } = await allPages('anomalousTransactions', '', 'id type occurredAt anomaly { score flagged reasons }', 25);
  const found = new Set(nodes.map((node) => node.id));
  expect(injected.filter((id) => !found.has(id))).toEqual([]);
  for (const node of nodes) {
    expect(node.anomaly.flagged).toBe(true);
    expect(node.anomaly.reasons.length).toBeGreaterThan(0);
  }
  const times = nodes.map((node) => node.occurredAt);
  expect(times).toEqual([...times].sort().reverse());
  const all = await domain.request<any>('{ transactions { totalCount } flagged: transactions(filter: { flaggedOnly: true }) { totalCount } }');
  expect(totalCount).toBe(all.data.flagged.totalCount);
  expect(totalCount / all.data.transactions.totalCount).toBeLessThan(0.05);

  // A higher threshold keeps the rule-flagged withdrawals (all the injected ones) and drops milder outliers.
  const strict = await allPages('anomalousTransactions', 'threshold: 50,', 'id anomaly { score reasons }');
  expect(strict.totalCount).toBeLessThan(totalCount);
  expect(injected.filter((id) => !strict.nodes.some((node) => node.id === id))).toEqual([]);
});

test('references to transactions and payments resolve, and unknown ids are null', async () => {
  const result = await domain.request<any>(
    '{ transaction(id: "1") { id type anomaly { score } } payment(id: "1") { id order { id } } missing: transaction(id: "99999999") { id } bad: payment(id: "x") { id } }',
  );
  expect(result.errors).toBeUndefined();
  expect(result.data.transaction.id).toBe('1');
  expect(result.data.payment.order.id).toBeTruthy();
  expect(result.data.missing).toBeNull();
  expect(result.data.bad).toBeNull();
});

test('a forged cursor, or one from another sort order, is a clear input error', async () => {
  const forged = await domain.request<any>('{ transactions(after: "nope") { totalCount } }');
  expect(forged.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  expect(forged.errors?.[0].message).toMatch(/Invalid cursor/);

  const page = await domain.request<any>('{ transactions(first: 1, orderBy: { field: AMOUNT, direction: ASC }) { pageInfo { endCursor } } }');
  const amountCursor = page.data.transactions.pageInfo.endCursor;
  const mixed = await domain.request<any>('query($after: String) { transactions(after: $after) { edges { node { id } } } }', { after: amountCursor });
  expect(mixed.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

  const nested = await domain.request<any>(
    '{ _entities(representations: [{ __typename: "Customer", id: "1" }]) { ... on Customer { transactions(after: "nope") { edges { node { id } } } } } }',
  );
  expect(nested.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

  const tooLarge = await domain.request<any>('{ transactions(first: 100000) { totalCount } }');
  expect(tooLarge.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
});

test('amountDue is the required total minus what was captured, 0 on cancelled and returned orders, for 100 orders in one statement', async () => {
  const { payments } = financeSeedData(TEST_SEED);
  const paymentOf = new Map(payments.map((payment) => [String(payment.orderId), payment]));
  // The gateway sends sales' total and status with each reference (@requires); here the test plays sales.
  const statuses = ['PLACED', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'RETURNED'];
  const representations = entities('Order', 100).map((reference, i) => ({ ...reference, total: 100 + i, status: statuses[i % statuses.length] }));
  domain.resetQueries();
  const result = await domain.request<any>('query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id amountDue payment { status } } } }', { r: representations });
  expect(result.errors).toBeUndefined();
  expect(domain.queries).toHaveLength(1);
  result.data._entities.forEach((order: any, i: number) => {
    const { total, status } = representations[i];
    const payment = paymentOf.get(order.id);
    const captured = payment?.status === 'CAPTURED' ? payment.amount : 0;
    const expected = status === 'CANCELLED' || status === 'RETURNED' ? 0 : Math.max(0, Math.round((total - captured) * 100) / 100);
    expect(order.amountDue).toBeCloseTo(expected, 2);
  });
  // Orders in every case: unpaid (authorized or no capture) owes its total, captured owes what the capture left, settled owes 0.
  const dues = result.data._entities.map((order: any) => order.amountDue);
  expect(dues.filter((due: number) => due === 0).length).toBeGreaterThan(0);
  expect(dues.filter((due: number) => due > 0).length).toBeGreaterThan(0);
});

test('amountDue of a captured order with the seeded total is 0', async () => {
  const { payments } = financeSeedData(TEST_SEED);
  const captured = payments.find((payment) => payment.status === 'CAPTURED')!;
  const result = await domain.request<any>('query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { amountDue } } }', {
    r: [{ __typename: 'Order', id: String(captured.orderId), total: captured.amount, status: 'DELIVERED' }],
  });
  expect(result.errors).toBeUndefined();
  expect(result.data._entities[0].amountDue).toBe(0);
});
