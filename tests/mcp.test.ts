/**
 * The assistant endpoint (issue 14), with the MCP SDK's own client over
 * Streamable HTTP against a running mesh: tools listed per principal, an
 * official operation called as an analyst and as a finance-team member
 * (different data, denials explained), the catalog tools, the descriptors as
 * resources, tool results bounded in size, and an audit record per call.
 */
import { createHash } from 'node:crypto';
import { startMesh, tokenFor, type TestMesh } from './harness';
import { connectMcp, resultJson, resultNotes } from './mcpClient';
import { ANALYST, FINANCE_TEAM, ORDER_SERVICE } from './principals';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh();
});
afterAll(() => mesh?.stop());

test('each principal is offered the official operations and the catalog tools; only sandbox principals get the ad-hoc tools', async () => {
  const analyst = await connectMcp(mesh, await tokenFor(ANALYST));
  const service = await connectMcp(mesh, await tokenFor(ORDER_SERVICE));
  const names = async (client: typeof analyst) => (await client.listTools()).tools.map((tool) => tool.name).sort();
  const official = ['CustomerRisk', 'CustomerTransactions', 'LateDeliveries', 'Revenue', 'RevenueNextPage', 'UpdateOrderStatus'];
  expect(await names(analyst)).toEqual([...official, 'describe_data_product', 'execute_query', 'search_data_products', 'validate_query'].sort());
  expect(await names(service)).toEqual([...official, 'describe_data_product', 'search_data_products'].sort());
  await Promise.all([analyst.close(), service.close()]);
});

test("an official operation's tool has its description and an input schema generated from its variables", async () => {
  const client = await connectMcp(mesh, await tokenFor(ANALYST));
  const { tools } = await client.listTools();
  const revenue = tools.find((tool) => tool.name === 'Revenue')!;
  expect(revenue.description).toMatch(/^Revenue by marketing campaign and customer segment/);
  expect(revenue.description).toMatch(/owned by marketing/);
  expect(revenue.inputSchema).toEqual({
    type: 'object',
    properties: { first: { type: 'integer', minimum: -2147483648, maximum: 2147483647, default: 500, description: 'GraphQL variable $first: Int' } },
    additionalProperties: false,
  });
  const update = tools.find((tool) => tool.name === 'UpdateOrderStatus')!;
  expect(update.annotations).toMatchObject({ readOnlyHint: false });
  expect(update.inputSchema.required).toEqual(['id', 'status']);
  const defs = (update.inputSchema as any).$defs;
  expect(defs.OrderStatus).toMatchObject({ type: 'string', enum: ['PLACED', 'PAID', 'SHIPPED', 'DELIVERED', 'CANCELLED', 'RETURNED'] });
  const next = tools.find((tool) => tool.name === 'RevenueNextPage')!;
  expect(next.inputSchema.required).toEqual(['campaign', 'after']);
  await client.close();
});

test('the same official operation gives an analyst and a finance-team member different data, each denial explained', async () => {
  const analyst = await connectMcp(mesh, await tokenFor(ANALYST));
  const finance = await connectMcp(mesh, await tokenFor(FINANCE_TEAM));
  const asAnalyst = await analyst.callTool({ name: 'CustomerRisk', arguments: {} });
  const asFinance = await finance.callTool({ name: 'CustomerRisk', arguments: {} });
  expect(asAnalyst.isError).toBeFalsy();
  expect(asFinance.isError).toBeFalsy();

  const analystJson = resultJson(asAnalyst);
  // The analyst reads campaigns but no personal data: the customer's name (non-null) takes the customer with it.
  expect(analystJson.data.campaignPerformance.length).toBeGreaterThan(0);
  expect(analystJson.data.customer).toBeNull();
  expect(analystJson.denied).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ path: 'customer.name', rule: 'global:pii(identity)', reason: 'requires scope pii:read' }),
      expect.objectContaining({ path: 'anomalousTransactions', rule: 'finance:Query.anomalousTransactions' }),
    ]),
  );
  expect(resultNotes(asAnalyst)).toMatch(/Tell the user which and why:[\s\S]*- customer\.name: requires scope pii:read \(rule global:pii\(identity\)\)/);

  const financeJson = resultJson(asFinance);
  expect(financeJson.data.customer.name).toEqual(expect.any(String));
  expect(financeJson.data.customer.transactions.edges.length).toBeGreaterThan(0);
  expect(financeJson.data.campaignPerformance).toBeNull();
  expect(financeJson.denied).toEqual([expect.objectContaining({ path: 'campaignPerformance', rule: 'marketing:Query.campaignPerformance', reason: 'requires role analyst or admin' })]);
  expect(resultNotes(asFinance)).toMatch(/- campaignPerformance: requires role analyst or admin/);
  await Promise.all([analyst.close(), finance.close()]);
});

test('denials of one field on many list items are listed once, with how many', async () => {
  const analyst = await connectMcp(mesh, await tokenFor(ANALYST));
  const result = await analyst.callTool({ name: 'CustomerRisk', arguments: {} });
  const scores = resultJson(result).denied.filter((denial: any) => /anomaly\.score$/.test(denial.path));
  expect(scores).toEqual([expect.objectContaining({ path: 'customer.transactions.edges[*].node.anomaly.score', rule: 'finance:AnomalyAssessment', occurrences: 5 })]);
  await analyst.close();
});

test('the catalog tools find data products and tell which of their fields the caller may read', async () => {
  const analyst = await connectMcp(mesh, await tokenFor(ANALYST));
  const found = resultJson(await analyst.callTool({ name: 'search_data_products', arguments: { search: 'transactions' } }));
  expect(found.data.dataProducts.map((product: any) => product.id)).toContain('finance');
  const finance = found.data.dataProducts.find((product: any) => product.id === 'finance');
  expect(finance).toMatchObject({ owner: { team: expect.any(String), contact: expect.any(String) }, sla: { freshness: expect.any(String) }, freshness: { targetSeconds: expect.any(Number) } });
  // The official operations that use a product name the tools to call.
  expect(finance.officialOperations.map((operation: any) => operation.name)).toEqual(expect.arrayContaining(['CustomerTransactions', 'CustomerRisk']));

  const described = resultJson(await analyst.callTool({ name: 'describe_data_product', arguments: { id: 'customers' } })).data.dataProduct;
  const field = (coordinate: string) => described.types.flatMap((type: any) => type.fields).find((candidate: any) => candidate.coordinate === coordinate);
  expect(field('Customer.segment').access).toEqual({ readable: 'yes' });
  expect(field('Customer.name').access).toEqual({ readable: 'no', rule: 'global:pii(identity)', reason: 'requires scope pii:read' });
  expect(described.fieldsYouMayRead).toMatch(/^\d+ of \d+ fields/);

  const financeTeam = await connectMcp(mesh, await tokenFor(FINANCE_TEAM));
  const asFinance = resultJson(await financeTeam.callTool({ name: 'describe_data_product', arguments: { id: 'customers' } })).data.dataProduct;
  const financeName = asFinance.types.flatMap((type: any) => type.fields).find((candidate: any) => candidate.coordinate === 'Customer.name');
  expect(financeName.access.readable).not.toBe('no');
  await Promise.all([analyst.close(), financeTeam.close()]);
});

test("describe_data_product asks the catalog page's own product query: one document, served to the page at /catalog/product.graphql", async () => {
  const served = await fetch(new URL('/catalog/product.graphql', mesh.gateway.url));
  expect(served.status).toBe(200);
  const query = await served.text();
  expect(query).toMatch(/^query CatalogProduct\(\$id: ID!\)/);
  const analyst = await connectMcp(mesh, { ...(await tokenFor(ANALYST)), 'x-request-id': 'mcp-describe-1' });
  const described = resultJson(await analyst.callTool({ name: 'describe_data_product', arguments: { id: 'finance' } })).data.dataProduct;
  await analyst.close();
  // What the page shows is there too (model cards, PII fields), and each field's access once, in the tool's words.
  expect(described.models.length).toBeGreaterThan(0);
  expect(described.piiFields).toEqual(expect.any(Array));
  expect(described.types.flatMap((type: any) => type.fields).every((field: any) => field.access && !('yourAccess' in field))).toBe(true);
  const [call] = (await mesh.auditRecords()).filter((record) => record.requestId === 'mcp-describe-1' && record.kind === 'tool-call');
  expect(call).toMatchObject({ operationName: 'CatalogProduct', operationHash: createHash('sha256').update(query).digest('hex') });
});

test("each data product's descriptor is a resource", async () => {
  const client = await connectMcp(mesh, await tokenFor(ANALYST));
  const { resources } = await client.listResources();
  expect(resources.map((resource) => resource.uri)).toEqual(expect.arrayContaining(['meshgate://data-products/finance', 'meshgate://data-products/customers']));
  const { contents } = await client.readResource({ uri: 'meshgate://data-products/finance' });
  const descriptor = JSON.parse((contents[0] as { text: string }).text);
  expect(descriptor).toMatchObject({ id: 'finance', domain: 'finance', owner: { team: expect.any(String) }, sla: { freshness: expect.any(String) } });
  await expect(client.readResource({ uri: 'meshgate://data-products/nope' })).rejects.toThrow(/not found/i);
  await client.close();
});

test('every call is audited with the tool name: the call itself, and the denials of its operation', async () => {
  const client = await connectMcp(mesh, { ...(await tokenFor(ANALYST)), 'x-request-id': 'mcp-audit-1' });
  await client.callTool({ name: 'CustomerRisk', arguments: {} });
  await client.callTool({ name: 'search_data_products', arguments: {} });
  await client.close();
  const mine = (await mesh.auditRecords()).filter((record) => record.requestId === 'mcp-audit-1');
  expect(mine).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ kind: 'tool-call', tool: 'CustomerRisk', operationName: 'CustomerRisk', route: 'POST /mcp', principal: expect.objectContaining({ id: 'alice' }), reason: expect.stringMatching(/^answered; \d+ denied/) }),
      expect.objectContaining({ kind: 'denial', tool: 'CustomerRisk', operationName: 'CustomerRisk', rule: 'global:pii(identity)', path: ['customer', 'name'] }),
      expect.objectContaining({ kind: 'tool-call', tool: 'search_data_products', operationName: 'McpSearchDataProducts', reason: 'answered' }),
    ]),
  );
});

test('arguments the operation does not accept come back as a tool error naming the variable, with nothing run', async () => {
  const client = await connectMcp(mesh, await tokenFor(ORDER_SERVICE));
  mesh.resetReceived();
  const result = await client.callTool({ name: 'UpdateOrderStatus', arguments: { id: '1', status: 'FLYING' } });
  expect(result.isError).toBe(true);
  expect(resultNotes(result)).toMatch(/\$status/);
  expect(mesh.subgraphs.sales.received).toHaveLength(0);
  await client.close();
});

test('the endpoint is stateless: GET opens no event stream (405)', async () => {
  const response = await fetch(new URL('/mcp', mesh.gateway.url), { headers: { accept: 'text/event-stream', ...(await tokenFor(ANALYST)) } });
  expect(response.status).toBe(405);
  expect(response.headers.get('allow')).toBe('POST');
});
