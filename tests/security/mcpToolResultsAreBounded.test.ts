/**
 * Issue 14, the assistant endpoint: a tool result never exceeds
 * mcp.maxResultBytes, whatever the operation returns. Lists are cut to fit
 * and the result says so: which lists, how many items were kept of how many,
 * and the pagination arguments to fetch the rest with.
 */
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { connectMcp, resultJson } from '../mcpClient';
import { ANALYST } from '../principals';

const MAX = 4096;

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh({ gateway: { mcp: { maxResultBytes: MAX } } });
}, 120_000);
afterAll(() => mesh?.stop());

test('an official operation over the bound is cut to it, with a marker naming the lists cut and the pagination arguments', async () => {
  const client = await connectMcp(mesh, await tokenFor(ANALYST));
  const whole = await mesh.query((await import('node:fs')).readFileSync('operations/marketing/Revenue.graphql', 'utf8'), {}, await tokenFor(ANALYST));
  expect(Buffer.byteLength(JSON.stringify({ data: whole.body.data }))).toBeGreaterThan(MAX);

  const result = await client.callTool({ name: 'Revenue', arguments: {} });
  const texts = (result.content as { text: string }[]).map((item) => item.text);
  expect(Buffer.byteLength(texts.join(''))).toBeLessThanOrEqual(MAX);
  const json = resultJson(result);
  expect(json.truncated).toMatchObject({ maxBytes: MAX, paginationArguments: ['first'], note: expect.stringMatching(/cut to its first \d+ items?/) });
  expect(json.truncated.originalBytes).toBeGreaterThan(MAX);
  expect(json.truncated.lists).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'campaignPerformance', total: whole.body.data.campaignPerformance.length })]));
  // What is kept is the start of the real answer.
  expect(json.data.campaignPerformance[0].campaign).toEqual(whole.body.data.campaignPerformance[0].campaign);
  expect(json.data.campaignPerformance.length).toBe(json.truncated.lists[0].kept);
  await client.close();
});

test('a small answer is not marked', async () => {
  const client = await connectMcp(mesh, await tokenFor(ANALYST));
  const json = resultJson(await client.callTool({ name: 'execute_query', arguments: { query: '{ orders(first: 1) { edges { node { id } } } }' } }));
  expect(json.truncated).toBeUndefined();
  await client.close();
});
