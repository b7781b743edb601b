/**
 * The dashboards of issue #2, end to end through the gateway over real
 * subgraphs. Each expected answer is computed independently with one SQL join
 * across the domains' schemas in the test database, so the federated answer is
 * checked against ground truth, not against itself.
 */
import { Supergraph } from '@apollo/federation-internals';
import { getNamedType, isLeafType, isNonNullType, isObjectType, type GraphQLObjectType } from 'graphql';
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
        conversions(first: 500) { totalCount pageInfo { hasNextPage } edges { node { order { id total status customer { segment } } } } }
      }
    }`,
    { from: FROM, to: TO },
    admin,
  );
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();

  const federated = new Map<string, number>();
  for (const row of body.data.campaignPerformance) {
    expect(row.conversions.totalCount).toBe(row.conversionCount);
    expect(row.conversions.pageInfo.hasNextPage).toBe(false);
    expect(row.conversions.edges).toHaveLength(row.conversionCount);
    for (const { node: { order } } of row.conversions.edges) {
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

test("what is still owed on orders (@requires sales' total and status) and their lines' product names as sold (@provides), against SQL over three domains", async () => {
  mesh.resetReceived();
  const { body } = await mesh.query(`{
    orders(first: 50) { edges { node { id amountDue lines { lineNo product { id name category } } } } }
  }`, undefined, admin);
  expect(body.errors).toBeUndefined();
  const orders = body.data.orders.edges.map((edge: any) => edge.node);
  expect(orders).toHaveLength(50);
  // finance is asked once, with each order's total and status from sales; products once, for the category only.
  const fetches = Object.fromEntries(Object.entries(mesh.subgraphs).map(([name, subgraph]) => [name, subgraph.received.length]));
  expect(fetches).toEqual({ customers: 0, products: 1, sales: 1, marketing: 0, finance: 1, logistics: 0 });
  expect(mesh.subgraphs.products.received[0].query).not.toMatch(/\bname\b/);

  const ids = orders.map((order: any) => Number(order.id));
  const owed = await mesh.db.query<{ id: number; due: number }>(
    `SELECT o.id, CASE WHEN o.status IN ('CANCELLED', 'RETURNED') THEN 0
                       ELSE greatest(0, o.total - coalesce(CASE WHEN p.status = 'CAPTURED' THEN p.amount END, 0)) END::float8 AS due
       FROM sales.orders o LEFT JOIN finance.payments p ON p.order_id = o.id WHERE o.id = ANY($1::int[])`,
    [ids],
  );
  const dueOf = new Map(owed.map((row) => [String(row.id), row.due]));
  for (const order of orders) expect(order.amountDue).toBeCloseTo(dueOf.get(order.id)!, 2);
  const lines = await mesh.db.query<{ order_id: number; line_no: number; product_id: number; name: string; category: string }>(
    `SELECT l.order_id, l.line_no, l.product_id, p.name, p.category
       FROM sales.order_lines l JOIN products.product p ON p.id = l.product_id WHERE l.order_id = ANY($1::int[]) ORDER BY 1, 2`,
    [ids],
  );
  // The name sales recorded on each line is the catalog's (products are never renamed).
  const federated = orders.flatMap((order: any) => order.lines.map((line: any) => ({ order_id: Number(order.id), line_no: line.lineNo, product_id: Number(line.product.id), name: line.product.name, category: line.product.category })));
  expect([...federated].sort((a: any, b: any) => a.order_id - b.order_id || a.line_no - b.line_no)).toEqual(lines);

  // Asked for the name alone, the planner takes it from sales and never asks products.
  mesh.resetReceived();
  const provided = await mesh.query('{ orders(first: 50) { edges { node { lines { product { name } } } } } }', undefined, admin);
  expect(provided.body.errors).toBeUndefined();
  expect(mesh.subgraphs.products.received).toHaveLength(0);
  expect(provided.body.data.orders.edges.flatMap((edge: any) => edge.node.lines.map((line: any) => line.product.name))).toEqual(federated.map((line: any) => line.name));
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

test("Customer.orders answers totalCount and totalRevenue for several customers, equal to a COUNT in SQL, with one statement per argument set for all of them (issue 17, section 5)", async () => {
  const statements: string[] = [];
  const stopListening = mesh.db.onQuery((sql) => statements.push(sql));
  const { status, body } = await mesh.query(
    `{ customers(first: 12) { edges { node {
        id orderCount totalSpent
        all: orders(first: 2) { totalCount totalRevenue edges { node { id } } pageInfo { hasNextPage } }
        delivered: orders(status: DELIVERED, first: 1) { totalCount totalRevenue pageInfo { hasNextPage } }
    } } } }`,
    undefined,
    admin,
  );
  stopListening();
  expect(status).toBe(200);
  expect(body.errors).toBeUndefined();
  const customers = body.data.customers.edges.map((edge: any) => edge.node);
  expect(customers).toHaveLength(12);

  const truth = await mesh.db.query<{ id: number; count: number; delivered: number; revenue: number; delivered_revenue: number }>(
    `SELECT c.id, count(o.id)::int AS count, count(o.id) FILTER (WHERE o.status = 'DELIVERED')::int AS delivered,
            coalesce(sum(o.total) FILTER (WHERE o.status NOT IN ('CANCELLED', 'RETURNED')), 0) AS revenue,
            coalesce(sum(o.total) FILTER (WHERE o.status = 'DELIVERED'), 0) AS delivered_revenue
       FROM customers.customer c LEFT JOIN sales.orders o ON o.customer_id = c.id
      WHERE c.id = ANY($1::int[]) GROUP BY c.id`,
    [customers.map((customer: any) => Number(customer.id))],
  );
  const byId = new Map(truth.map((row) => [String(row.id), row]));
  expect(truth.filter((row) => row.count > 2).length).toBeGreaterThan(2);
  for (const customer of customers) {
    const row = byId.get(customer.id)!;
    expect({ id: customer.id, all: customer.all.totalCount, delivered: customer.delivered.totalCount, orderCount: customer.orderCount }).toEqual({
      id: customer.id, all: row.count, delivered: row.delivered, orderCount: row.count,
    });
    expect(customer.all.totalRevenue).toBeCloseTo(row.revenue, 2);
    expect(customer.totalSpent).toBeCloseTo(row.revenue, 2);
    expect(customer.delivered.totalRevenue).toBeCloseTo(row.delivered_revenue, 2);
    expect(customer.all.pageInfo.hasNextPage).toBe(row.count > 2);
    expect(customer.delivered.pageInfo.hasNextPage).toBe(row.delivered > 1);
  }
  // Two pages (two argument sets) and two totals (all orders, delivered ones) for the 12 customers; orderCount and totalSpent share the first.
  expect(statements.filter((sql) => /\bsales\.orders\b/.test(sql))).toHaveLength(4);
});

/**
 * Every field of the supergraph that returns a connection, with a query that reaches it.
 * A connection field the table does not list fails the test below, so a new one gets checked too.
 */
const CONNECTION_FIELDS: Record<string, (selection: string) => string> = {
  'Query.customers': (s) => `{ customers(first: 3) ${s} }`,
  'Query.products': (s) => `{ products(first: 3) ${s} }`,
  'Query.orders': (s) => `{ orders(first: 3) ${s} }`,
  'Query.transactions': (s) => `{ transactions(first: 3) ${s} }`,
  'Query.anomalousTransactions': (s) => `{ anomalousTransactions(first: 3) ${s} }`,
  'Query.lateDeliveries': (s) => `{ lateDeliveries(first: 3) ${s} }`,
  'Query.campaigns': (s) => `{ campaigns(first: 3) ${s} }`,
  'Customer.orders': (s) => `{ customers(first: 4) { edges { node { orders(first: 2) ${s} } } } }`,
  'Customer.transactions': (s) => `{ customers(first: 4) { edges { node { transactions(first: 2) ${s} } } } }`,
  'DeliveryZone.lateShipments': (s) => `{ zones { lateShipments(from: "${FROM}", to: "${TO}", first: 2) ${s} } }`,
  'Campaign.conversions': (s) => `{ campaigns(first: 4) { edges { node { conversions(first: 2) ${s} } } } }`,
  'CampaignPerformance.conversions': (s) => `{ campaignPerformance(from: "${FROM}", to: "${TO}") { conversions(first: 2) ${s} } }`,
};

test('every connection field answers every field of its connection (no batch loader leaves totalCount, pageInfo or totals out)', async () => {
  // The API schema the gateway serves, from the supergraph it composed (introspection is beyond an admin's limits).
  const schema = Supergraph.build(mesh.gateway.supergraph!.current.supergraphSdl, { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();
  // Every leaf of the connection and of the objects directly under it (pageInfo, totalsByType, edges, edges.node).
  const leavesOf = (type: GraphQLObjectType, depth: number): string =>
    `{ ${Object.values(type.getFields())
      .filter((field) => field.args.every((arg) => !isNonNullType(arg.type) || arg.defaultValue !== undefined))
      .map((field) => {
        const named = getNamedType(field.type);
        if (isLeafType(named)) return field.name;
        return depth > 0 && isObjectType(named) ? `${field.name} ${leavesOf(named, depth - 1)}` : '';
      })
      .filter(Boolean)
      .join(' ')} }`;
  const connectionFields = Object.values(schema.getTypeMap())
    .filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__'))
    .flatMap((type) =>
      Object.values(type.getFields())
        .filter((field) => getNamedType(field.type).name.endsWith('Connection'))
        .map((field) => [`${type.name}.${field.name}`, getNamedType(field.type) as GraphQLObjectType] as const),
    );
  expect(connectionFields.map(([coordinate]) => coordinate).sort()).toEqual(Object.keys(CONNECTION_FIELDS).sort());

  for (const [coordinate, connectionType] of connectionFields) {
    const selection = leavesOf(connectionType, 2);
    const { status, body } = await mesh.query(CONNECTION_FIELDS[coordinate](selection), undefined, admin);
    expect({ coordinate, status, errors: body.errors }).toEqual({ coordinate, status: 200, errors: undefined });
    // Every connection object in the answer: the page agrees with its total.
    const connections: any[] = [];
    const collect = (value: any) => {
      if (Array.isArray(value)) return value.forEach(collect);
      if (!value || typeof value !== 'object') return;
      if ('pageInfo' in value && 'edges' in value) connections.push(value);
      else Object.values(value).forEach(collect);
    };
    collect(body.data);
    expect({ coordinate, found: connections.length > 0 }).toEqual({ coordinate, found: true });
    for (const connection of connections) {
      expect(connection.totalCount).toBeGreaterThanOrEqual(connection.edges.length);
      expect({ coordinate, hasNextPage: connection.pageInfo.hasNextPage }).toEqual({ coordinate, hasNextPage: connection.totalCount > connection.edges.length });
      if (connection.totalsByType) {
        expect(connection.totalsByType.reduce((sum: number, row: any) => sum + row.count, 0)).toBe(connection.totalCount);
      }
    }
  }
});
