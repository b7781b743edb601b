/**
 * The dashboards of issue #2, end to end through the gateway over real
 * subgraphs. Each expected answer is computed independently with one SQL join
 * across the domains' schemas in the test database, so the federated answer is
 * checked against ground truth, not against itself.
 */
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ADMIN } from './principals';

let mesh: TestMesh;
let admin: Record<string, string>;
beforeAll(async () => {
  mesh = await startMesh();
  admin = await tokenFor(ADMIN);
});
afterAll(() => mesh?.stop());

const FROM = '2026-05-01T00:00:00.000Z';
const TO = '2026-10-31T00:00:00.000Z';

test('revenue by marketing campaign and customer segment (marketing + sales + customers)', async () => {
  const { status, body } = await mesh.query(
    `query Revenue($from: DateTime!, $to: DateTime!) {
      campaignPerformance(from: $from, to: $to) {
        campaign { id name channel }
        conversionCount
        orders { id total status customer { segment } }
      }
    }`,
    { from: FROM, to: TO },
    admin,
  );
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();

  const federated = new Map<string, number>();
  for (const row of body.data.campaignPerformance) {
    expect(row.orders).toHaveLength(row.conversionCount);
    for (const order of row.orders) {
      if (order.status === 'CANCELLED' || order.status === 'RETURNED') continue;
      const key = `${row.campaign.id}/${order.customer.segment}`;
      federated.set(key, (federated.get(key) ?? 0) + order.total);
    }
  }
  const truth = await mesh.db.query<{ campaign_id: number; segment: string; revenue: number }>(
    `SELECT cv.campaign_id, cu.segment, sum(o.total) AS revenue
       FROM marketing.conversion cv
       JOIN sales.orders o ON o.id = cv.order_id
       JOIN customers.customer cu ON cu.id = o.customer_id
      WHERE cv.converted_at >= $1 AND cv.converted_at < $2 AND o.status NOT IN ('CANCELLED', 'RETURNED')
      GROUP BY 1, 2`,
    [FROM, TO],
  );
  expect(truth.length).toBeGreaterThan(3);
  expect([...federated.keys()].sort()).toEqual(truth.map((row) => `${row.campaign_id}/${row.segment}`).sort());
  for (const row of truth) expect(federated.get(`${row.campaign_id}/${row.segment}`)).toBeCloseTo(row.revenue, 2);
});

test('late deliveries by zone with the orders and customers affected (logistics + sales + customers)', async () => {
  const { body } = await mesh.query(
    `query Late($from: DateTime, $to: DateTime) {
      deliveryPerformance(from: $from, to: $to) {
        late
        zone {
          id
          name
          lateShipments(from: $from, to: $to, first: 500) {
            totalCount
            edges { node { id late order { id customer { id name } } } }
          }
        }
      }
    }`,
    { from: FROM, to: TO },
    admin,
  );
  expect(body.errors).toBeUndefined();
  const federated = body.data.deliveryPerformance.flatMap((row: any) => {
    expect(row.zone.lateShipments.totalCount).toBe(row.late);
    return row.zone.lateShipments.edges.map((edge: any) => {
      expect(edge.node.late).toBe(true);
      return `${row.zone.name}|${edge.node.id}|${edge.node.order.id}|${edge.node.order.customer.name}`;
    });
  });
  const truth = await mesh.db.query<{ line: string }>(
    `SELECT z.name || '|' || s.id || '|' || s.order_id || '|' || cu.name AS line
       FROM logistics.shipment s
       JOIN logistics.delivery_zone z ON z.id = s.zone_id
       JOIN sales.orders o ON o.id = s.order_id
       JOIN customers.customer cu ON cu.id = o.customer_id
      WHERE s.late AND s.shipped_at >= $1 AND s.shipped_at < $2`,
    [FROM, TO],
  );
  expect(truth.length).toBeGreaterThan(5);
  expect(federated.sort()).toEqual(truth.map((row) => row.line).sort());
});

test("a customer's transactions: filters, sorting, cursor pagination, totals by type and anomalies (finance + customers)", async () => {
  const [{ customer_id: customerId }] = await mesh.db.query<{ customer_id: number }>(
    `SELECT customer_id FROM finance.transactions WHERE flagged GROUP BY customer_id ORDER BY count(*) DESC, customer_id LIMIT 1`,
  );
  const query = `query Tx($id: ID!, $after: String) {
    customer(id: $id) {
      name
      segment
      transactions(filter: { types: [DEPOSIT, WITHDRAWAL, PAYMENT] }, first: 7, after: $after, orderBy: { field: AMOUNT, direction: DESC }) {
        totalCount
        totalsByType { type count amount }
        edges { node { id type amount anomaly { flagged } } }
        pageInfo { hasNextPage endCursor }
      }
    }
    anomalousTransactions(filter: { customerId: $id }, first: 100) { edges { node { id customer { name } } } }
  }`;
  const pages: any[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page++) {
    const { body } = await mesh.query(query, { id: String(customerId), after }, admin);
    expect(body.errors).toBeUndefined();
    pages.push(body.data);
    const { pageInfo } = body.data.customer.transactions;
    if (!pageInfo.hasNextPage) break;
    after = pageInfo.endCursor;
  }
  const rows = pages.flatMap((data) => data.customer.transactions.edges.map((edge: any) => edge.node));
  const truth = await mesh.db.query<{ id: number; type: string; amount: number; flagged: boolean }>(
    `SELECT id, type, amount, flagged FROM finance.transactions
      WHERE customer_id = $1 AND type IN ('DEPOSIT', 'WITHDRAWAL', 'PAYMENT') ORDER BY amount DESC, id DESC`,
    [customerId],
  );
  expect(rows).toEqual(truth.map((row) => ({ id: String(row.id), type: row.type, amount: row.amount, anomaly: { flagged: row.flagged } })));
  const first = pages[0];
  expect(first.customer.transactions.totalCount).toBe(truth.length);
  const byType = new Map<string, { count: number; amount: number }>();
  for (const row of truth) {
    const total = byType.get(row.type) ?? { count: 0, amount: 0 };
    byType.set(row.type, { count: total.count + 1, amount: total.amount + row.amount });
  }
  for (const total of first.customer.transactions.totalsByType) {
    expect(total.count).toBe(byType.get(total.type)!.count);
    expect(total.amount).toBeCloseTo(byType.get(total.type)!.amount, 2);
  }
  const [{ name }] = await mesh.db.query<{ name: string }>(`SELECT name FROM customers.customer WHERE id = $1`, [customerId]);
  expect(first.customer.name).toBe(name);
  const anomalies = first.anomalousTransactions.edges.map((edge: any) => edge.node);
  expect(anomalies.length).toBeGreaterThan(0);
  expect(anomalies.every((node: any) => node.customer.name === name)).toBe(true);
});

test('100 orders with customer, payment, shipment and campaign: one statement per entity type per subgraph, one fetch per subgraph', async () => {
  const statements: string[] = [];
  const stopListening = mesh.db.onQuery((sql) => statements.push(sql));
  mesh.resetReceived();
  const { body } = await mesh.query(`{
    orders(first: 100) {
      edges { node { id total customer { name segment } payment { amount status } shipment { status carrier { name } zone { name } } campaign { name } } }
    }
  }`, undefined, admin);
  stopListening();
  expect(body.errors).toBeUndefined();
  expect(body.data.orders.edges).toHaveLength(100);
  expect(body.data.orders.edges.filter((edge: any) => edge.node.payment).length).toBeGreaterThan(80);

  const tablesRead = statements.map((sql) => [...sql.matchAll(/\b(?:FROM|JOIN)\s+(\w+\.\w+)/gi)].map((match) => match[1]).join('+'));
  const perTable = new Map<string, number>();
  for (const tables of tablesRead) perTable.set(tables, (perTable.get(tables) ?? 0) + 1);
  // Every entity type is read with exactly one statement, whatever the number of orders.
  expect(Object.fromEntries(perTable)).toEqual({
    'sales.orders': 1,
    'customers.customer': 1,
    'finance.payments': 1,
    'logistics.shipment': 1,
    'logistics.carrier': 1,
    'logistics.delivery_zone': 1,
    'marketing.conversion': 1,
    'marketing.campaign': 1,
  });
  const fetches = Object.fromEntries(Object.entries(mesh.subgraphs).map(([name, subgraph]) => [name, subgraph.received.length]));
  expect(fetches).toEqual({ customers: 1, products: 0, sales: 1, marketing: 1, finance: 1, logistics: 1 });
});

test('an operation is planned once and then runs prepared; introspection goes to @apollo/gateway\'s executor; /metrics counts each', async () => {
  const executions = async () => {
    const text = await (await fetch(new URL('/metrics', mesh.gateway.url))).text();
    const count = (outcome: string) => Number(new RegExp(`^meshgate_query_plan_executions_total\\{outcome="${outcome}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
    return { planned: count('planned'), prepared: count('prepared'), apollo: count('apollo') };
  };
  const before = await executions();
  const query = '{ orders(first: 3) { edges { node { id customer { name } } } } }';
  for (let i = 0; i < 3; i++) expect((await mesh.query(query, undefined, admin)).body.errors).toBeUndefined();
  expect((await mesh.query('{ __schema { queryType { name } } }', undefined, admin)).body.data.__schema.queryType.name).toBe('Query');
  const after = await executions();
  expect({ planned: after.planned - before.planned, prepared: after.prepared - before.prepared, apollo: after.apollo - before.apollo }).toEqual({ planned: 1, prepared: 2, apollo: 1 });
});

test('/metrics reports each subgraph\'s limit on requests in flight, the requests in flight and those waiting', async () => {
  expect((await mesh.query('{ orders(first: 3) { edges { node { id customer { name } } } } }', undefined, admin)).body.errors).toBeUndefined();
  const text = await (await fetch(new URL('/metrics', mesh.gateway.url))).text();
  const value = (subgraph: string, state: string) => Number(new RegExp(`^meshgate_subgraph_requests\\{subgraph="${subgraph}",state="${state}"\\} (\\S+)$`, 'm').exec(text)?.[1]);
  // Adaptive by default: it starts at 4 and moves only under load.
  expect(value('sales', 'limit')).toBeGreaterThanOrEqual(1);
  expect(value('customers', 'limit')).toBeLessThanOrEqual(64);
  expect(value('sales', 'in_flight')).toBe(0);
  expect(value('sales', 'waiting')).toBe(0);
});
