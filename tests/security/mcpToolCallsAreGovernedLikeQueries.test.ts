/**
 * Issue 14, the assistant endpoint: a tool call is a GraphQL request like any
 * other, run through the /graphql pipeline as the calling principal. So a
 * field the policy denies is never sent to its subgraph, comes back null with
 * the path, rule and reason, and is audited with the tool's name; the
 * caller's operation limits refuse an operation before anything runs (audited
 * with the tool); the response cache keys by the caller's rights (a
 * principal with more rights warms it, one with fewer still gets denials);
 * and an ad-hoc query is refused for a role that may run official operations
 * only, while its official operations run by id.
 */
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { connectMcp, resultJson } from '../mcpClient';
import { ADMIN, ANALYST, ORDER_SERVICE } from '../principals';

let mesh: TestMesh;
beforeAll(async () => {
  // The response cache on, and the order service an official-only role (as in production).
  mesh = await startMesh({ gateway: { cache: {}, operations: { officialOnlyRoles: ['service'] } } });
}, 120_000);
afterAll(() => mesh?.stop());

const CONTACT = 'query Contact { customer(id: "7") { id segment email } }';

test('a denied field is never fetched, comes back with path, rule and reason, and is audited with the tool', async () => {
  const client = await connectMcp(mesh, { ...(await tokenFor(ANALYST)), 'x-request-id': 'mcp-governed-1' });
  mesh.resetReceived();
  const result = await client.callTool({ name: 'execute_query', arguments: { query: CONTACT } });
  const json = resultJson(result);
  expect(json.data.customer).toEqual({ id: '7', segment: expect.any(String), email: null });
  expect(json.denied).toEqual([{ path: 'customer.email', rule: 'global:pii(contact)', reason: 'requires scope pii:read', message: expect.stringMatching(/Customer\.email/) }]);
  const sent = mesh.subgraphs.customers.received.map((request) => request.query ?? '');
  expect(sent.length).toBeGreaterThan(0);
  expect(sent.some((query) => /\bemail\b/.test(query))).toBe(false);
  await client.close();
  expect((await mesh.auditRecords()).filter((record) => record.requestId === 'mcp-governed-1')).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ kind: 'denial', tool: 'execute_query', operationName: 'Contact', path: ['customer', 'email'], rule: 'global:pii(contact)' }),
      expect.objectContaining({ kind: 'tool-call', tool: 'execute_query', operationName: 'Contact', reason: 'answered; 1 denied (global:pii(contact))' }),
    ]),
  );
});

test("the caller's operation limits refuse a query before it runs, audited with the tool", async () => {
  const client = await connectMcp(mesh, { ...(await tokenFor(ANALYST)), 'x-request-id': 'mcp-governed-2' });
  // Depth 11: over the analyst's 10.
  const deep = 'query Deep { customers(first: 1) { edges { node { orders(first: 1) { edges { node { customer { orders(first: 1) { edges { node { id } } } } } } } } } } }';
  mesh.resetReceived();
  const result = await client.callTool({ name: 'execute_query', arguments: { query: deep } });
  expect(result.isError).toBe(true);
  expect(resultJson(result).errors[0]).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', extensions: { limit: 'maxDepth' } });
  expect(Object.values(mesh.subgraphs).every((subgraph) => subgraph.received.length === 0)).toBe(true);
  // validate_query gives the same verdict without running anything.
  const validated = resultJson(await client.callTool({ name: 'validate_query', arguments: { query: deep } }));
  expect(validated).toMatchObject({ valid: false, errors: [{ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxDepth' }] });
  await client.close();
  expect((await mesh.auditRecords()).filter((record) => record.requestId === 'mcp-governed-2')).toEqual(
    expect.arrayContaining([expect.objectContaining({ kind: 'limit-exceeded', tool: 'execute_query', rule: 'maxDepth', operationName: 'Deep' })]),
  );
});

test('validate_query tells which fields the policy would withhold, without fetching anything', async () => {
  const client = await connectMcp(mesh, await tokenFor(ANALYST));
  mesh.resetReceived();
  const validated = resultJson(await client.callTool({ name: 'validate_query', arguments: { query: CONTACT } }));
  expect(validated).toEqual({ valid: true, errors: [], wouldBeWithheld: [{ field: 'Customer.email', rule: 'global:pii(contact)', reason: 'requires scope pii:read' }], decidedPerRow: [] });
  expect(Object.values(mesh.subgraphs).every((subgraph) => subgraph.received.length === 0)).toBe(true);
  await client.close();
});

test('an answer cached for a principal with more rights is never served to a tool call with fewer', async () => {
  const admin = await connectMcp(mesh, await tokenFor(ADMIN));
  const analyst = await connectMcp(mesh, await tokenFor(ANALYST));
  const query = 'query CachedContact { customer(id: "8") { id email } }';
  expect(resultJson(await admin.callTool({ name: 'execute_query', arguments: { query } })).data.customer.email).toEqual(expect.stringContaining('@'));
  expect(resultJson(await admin.callTool({ name: 'execute_query', arguments: { query } })).data.customer.email).toEqual(expect.stringContaining('@'));
  const asAnalyst = resultJson(await analyst.callTool({ name: 'execute_query', arguments: { query } }));
  expect(asAnalyst.data.customer.email).toBeNull();
  expect(asAnalyst.denied[0]).toMatchObject({ path: 'customer.email', rule: 'global:pii(contact)' });
  await Promise.all([admin.close(), analyst.close()]);
});

test('an official-only role runs its official operations through their tools (by id), and the catalog tools', async () => {
  const placed = await mesh.query('{ orders(filter: { status: PLACED }, first: 1) { edges { node { id } } } }', {}, await tokenFor(ADMIN));
  const id = placed.body.data.orders.edges[0].node.id;
  // The same principal's ad-hoc text is refused at /graphql: tools are no way around it (execute_query is not offered).
  expect((await mesh.query('{ orders(first: 1) { edges { node { id } } } }', {}, await tokenFor(ORDER_SERVICE))).status).toBe(403);
  const service = await connectMcp(mesh, { ...(await tokenFor(ORDER_SERVICE)), 'x-request-id': 'mcp-governed-3' });
  const updated = await service.callTool({ name: 'UpdateOrderStatus', arguments: { id, status: 'PAID' } });
  expect(updated.isError).toBeFalsy();
  expect(resultJson(updated).data.updateOrderStatus).toEqual({ id, status: 'PAID' });
  // The catalog tools run the gateway's own documents, with the caller's rights.
  const catalog = resultJson(await service.callTool({ name: 'search_data_products', arguments: { search: 'orders' } }));
  expect(catalog.data.dataProducts.length).toBeGreaterThan(0);
  await service.close();
  expect((await mesh.auditRecords()).filter((record) => record.requestId === 'mcp-governed-3' && record.kind === 'tool-call')).toEqual([
    expect.objectContaining({ tool: 'UpdateOrderStatus', operationName: 'UpdateOrderStatus', reason: 'answered', principal: expect.objectContaining({ id: 'order-service' }) }),
    expect.objectContaining({ tool: 'search_data_products', reason: 'answered' }),
  ]);
});
