/**
 * An MCP tool call is observed like a /graphql request: the operation it runs
 * is counted in the request metrics (transport="mcp", beside /graphql's
 * transport="http"), and with tracing on its `POST /mcp` span names the tool
 * and holds the operation's stages and subgraph fetches, as `POST /graphql`'s does.
 */
import { startMesh, tokenFor, type TestMesh } from './harness';
import { connectMcp } from './mcpClient';
import { ANALYST } from './principals';
import { descendantsOf, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlpReceiver';

jest.setTimeout(120_000);

let receiver: OtlpReceiver;
let mesh: TestMesh;
let metrics: string;
let spans: ReceivedSpan[];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mesh = await startMesh({ gateway: { tracing: { endpoint: receiver.endpoint } } });
  const client = await connectMcp(mesh, await tokenFor(ANALYST));
  expect((await client.callTool({ name: 'CustomerRisk', arguments: {} })).isError).toBeFalsy();
  await client.close();
  await mesh.query('query CustomerRisk { customers(first: 1) { edges { node { id } } } }', undefined, await tokenFor(ANALYST));
  metrics = await (await fetch(new URL('/metrics', mesh.gateway.url))).text();
  // Stopping the gateway stops the SDK, which exports every span still buffered.
  await mesh.stop();
  spans = receiver.spans;
});

afterAll(() => receiver.close());

test('the tool call is counted in the request metrics with transport mcp, the /graphql request with transport http', () => {
  expect(metrics).toMatch(/^meshgate_requests_total\{operation="CustomerRisk",status="200",transport="mcp"\} 1$/m);
  expect(metrics).toMatch(/^meshgate_requests_total\{operation="CustomerRisk",status="200",transport="http"\} 1$/m);
  // Latency and the data products it read are counted as for /graphql (the two requests together).
  expect(metrics).toMatch(/^meshgate_request_duration_seconds_count\{operation="CustomerRisk"\} 2$/m);
  expect(metrics).toMatch(/^meshgate_data_product_requests_total\{product="[^"]+"\} [1-9]/m);
});

test("the tool call's POST /mcp span names the tool and holds the operation's stages and fetches", () => {
  expect(receiver.problems).toEqual([]);
  const calls = spans.filter((span) => span.name === 'POST /mcp' && span.attributes['meshgate.mcp.tool'] === 'CustomerRisk');
  expect(calls).toHaveLength(1);
  const [call] = calls;
  expect(call.parentSpanId).toBeUndefined();
  expect(call.attributes).toMatchObject({ 'url.path': '/mcp', 'http.response.status_code': 200, 'graphql.operation.name': 'CustomerRisk', 'meshgate.principal.kind': 'user' });
  const below = descendantsOf(spans, call).map((span) => span.name);
  expect(below).toEqual(expect.arrayContaining(['meshgate.authorize', 'meshgate.execute', 'meshgate.fetch']));
});
