/**
 * Issue 14, the assistant endpoint: the validate and ad-hoc execute tools are
 * for sandbox principals only (operations.sandboxRoles). A production
 * application is not offered them, and calling one anyway is refused before
 * anything runs, with a result that says why, and audited with the tool's
 * name and the rule.
 */
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { connectMcp } from '../mcpClient';
import { ANALYST, ORDER_SERVICE } from '../principals';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh();
}, 120_000);
afterAll(() => mesh?.stop());

test.each(['execute_query', 'validate_query'])('%s is neither offered nor run for a non-sandbox principal, and the refusal is audited', async (tool) => {
  const service = await connectMcp(mesh, { ...(await tokenFor(ORDER_SERVICE)), 'x-request-id': `mcp-sandbox-${tool}` });
  expect((await service.listTools()).tools.map((candidate) => candidate.name)).not.toContain(tool);
  mesh.resetReceived();
  const result = await service.callTool({ name: tool, arguments: { query: '{ orders(first: 1) { edges { node { id } } } }' } });
  expect(result.isError).toBe(true);
  expect((result.content as { text: string }[])[0].text).toMatch(new RegExp(`^${tool} is offered to sandbox principals only`));
  expect(Object.values(mesh.subgraphs).every((subgraph) => subgraph.received.length === 0)).toBe(true);
  await service.close();
  expect((await mesh.auditRecords()).filter((record) => record.requestId === `mcp-sandbox-${tool}`)).toEqual([
    expect.objectContaining({ kind: 'tool-call', tool, rule: 'sandbox principals only', principal: expect.objectContaining({ id: 'order-service' }), reason: expect.stringMatching(/^refused: /) }),
  ]);
});

test('a sandbox principal runs an ad-hoc query', async () => {
  const analyst = await connectMcp(mesh, await tokenFor(ANALYST));
  const result = await analyst.callTool({ name: 'execute_query', arguments: { query: '{ orders(first: 2) { edges { node { id } } } }' } });
  expect(result.isError).toBeFalsy();
  expect(JSON.parse((result.content as { text: string }[])[0].text).data.orders.edges).toHaveLength(2);
  await analyst.close();
});
