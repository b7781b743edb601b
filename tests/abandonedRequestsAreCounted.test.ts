/**
 * A client that goes away before its answer (a timeout in front of the
 * gateway, a closed tab) is still counted on /metrics, with status 499 under
 * its operation's name, and its request span is ended with that status: the
 * requests that took too long are the ones an operator most needs to see.
 */
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ADMIN } from './principals';
import { startOtlpReceiver, type OtlpReceiver } from './otlpReceiver';
import { domains } from '../subgraphs';

jest.setTimeout(120_000);

let mesh: TestMesh;
let receiver: OtlpReceiver;
let stopped: Promise<void> | undefined;
/** Stops the mesh once (stopping the gateway exports the spans still buffered). */
const stopMesh = () => (stopped ??= mesh.stop());

// The sales subgraph answers Query.orders after 1.5 s.
const sales = domains.find((domain) => domain.name === 'sales')!;
const slowSales = {
  ...sales,
  resolvers: {
    ...sales.resolvers,
    Query: {
      ...(sales.resolvers.Query as Record<string, (...args: unknown[]) => unknown>),
      orders: async (...args: unknown[]) => {
        await new Promise((resolve) => setTimeout(resolve, 1500));
        return (sales.resolvers.Query as Record<string, (...args: unknown[]) => unknown>).orders(...args);
      },
    },
  },
};

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mesh = await startMesh({ domains: domains.map((domain) => (domain === sales ? slowSales : domain)), gateway: { tracing: { endpoint: receiver.endpoint } } });
});

afterAll(async () => {
  await stopMesh();
  await receiver.close();
});

test('an abandoned request is counted with status 499 under its operation, and its span ends with 499', async () => {
  const aborted = fetch(mesh.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-request-id': 'gone-away', ...(await tokenFor(ADMIN)) },
    body: JSON.stringify({ query: 'query SlowOrders { orders(first: 2) { totalCount } }' }),
    signal: AbortSignal.timeout(500),
  });
  await expect(aborted).rejects.toThrow();
  // The subgraph answers after 1.5 s; by then the gateway has counted the request.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  const text = await (await fetch(mesh.gateway.url.replace('/graphql', '/metrics'))).text();
  expect(text).toMatch(/^meshgate_requests_total\{operation="SlowOrders",status="499",transport="http"\} 1$/m);
  expect(text).not.toMatch(/^meshgate_requests_total\{operation="SlowOrders",status="200",transport="http"\}/m);
  expect(text).toMatch(/^meshgate_request_duration_seconds_count\{operation="SlowOrders"\} 1$/m);
  await stopMesh();
  const [span] = receiver.spans.filter((candidate) => candidate.name === 'POST /graphql' && candidate.attributes['meshgate.request_id'] === 'gone-away');
  expect(span.attributes).toMatchObject({ 'http.response.status_code': 499, 'graphql.operation.name': 'SlowOrders' });
});
