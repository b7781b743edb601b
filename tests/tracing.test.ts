/**
 * Tracing end to end (issue 18, Operators): with tracing.endpoint set, one
 * cross-domain query becomes one trace, received over OTLP HTTP by a receiver
 * this test starts: the request span, its identification, authorization,
 * planning and execution spans, a fetch span per subgraph fetch (subgraph and
 * product named, cache outcome), and under each fetch, through the traceparent
 * the gateway sent, the subgraph's request span, its root-field resolver spans
 * and their SQL spans.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ADMIN } from './principals';
import { childrenOf, descendantsOf, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlpReceiver';

jest.setTimeout(120_000);

let receiver: OtlpReceiver;
let mesh: TestMesh;
let spans: ReceivedSpan[];
let answer: Awaited<ReturnType<TestMesh['query']>>;
const logLines: { msg?: string; service?: string; subgraph?: string; requestId?: string; traceId?: string; spanId?: string }[] = [];
const capture = (base: Record<string, string>) =>
  pino({ level: 'info', base }, new Writable({ write: (chunk: Buffer, _encoding, done) => (logLines.push(...chunk.toString().trim().split('\n').map((text) => JSON.parse(text))), done()) }));

const QUERY = 'query OrdersWithCustomers { orders(first: 3) { edges { node { id total customer { name segment } payment { amount } } } } }';

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  // The entity cache on (the response cache off): the second request's entities come from it.
  mesh = await startMesh({ logger: capture({ service: 'meshgate' }), subgraphLogger: (subgraph) => capture({ service: 'subgraph', subgraph }), gateway: { tracing: { endpoint: receiver.endpoint }, cache: { responseCache: { enabled: false }, entityCache: { enabled: true }, dedupe: { enabled: false } } } });
  answer = await mesh.query(QUERY, undefined, { ...(await tokenFor(ADMIN)), 'x-request-id': 'trace-test-1' });
  await mesh.query(QUERY, undefined, { ...(await tokenFor(ADMIN)), 'x-request-id': 'trace-test-2' });
  // Stopping the gateway stops the SDK, which exports every span still buffered.
  await mesh.stop();
  spans = receiver.spans;
});

afterAll(() => receiver.close());

const named = (name: string) => spans.filter((span) => span.name === name);
/** The spans of the request with this x-request-id, its own first. */
const requestTree = (requestId: string) => {
  const [request] = named('POST /graphql').filter((span) => span.attributes['meshgate.request_id'] === requestId);
  return [request, ...descendantsOf(spans, request)];
};

test('the query is answered, and the receiver got OTLP/JSON it could read', () => {
  expect(answer.status).toBe(200);
  expect(answer.body.errors).toBeUndefined();
  expect(answer.body.data.orders.edges).toHaveLength(3);
  expect(receiver.problems).toEqual([]);
});

test('one request span, of one trace, holds identification, authorization, planning and execution', () => {
  const requests = named('POST /graphql').filter((span) => span.attributes['meshgate.request_id'] === 'trace-test-1');
  expect(requests).toHaveLength(1);
  expect(named('POST /graphql')).toHaveLength(2);
  const [request] = requests;
  expect(request.parentSpanId).toBeUndefined();
  expect(request.service).toBe('meshgate-gateway');
  expect(request.attributes).toMatchObject({ 'http.response.status_code': 200, 'graphql.operation.name': 'OrdersWithCustomers', 'meshgate.principal.kind': 'user' });
  const stages = childrenOf(spans, request).map((span) => span.name);
  expect(stages).toEqual(expect.arrayContaining(['meshgate.identify', 'meshgate.authorize', 'meshgate.plan', 'meshgate.execute']));
  // Every span of the request, gateway's and subgraphs', is in its trace.
  const all = descendantsOf(spans, request);
  expect(all.length).toBeGreaterThan(10);
  expect(new Set(all.map((span) => span.traceId))).toEqual(new Set([request.traceId]));
});

test('each subgraph fetch is a span under execution, naming its subgraph, product and cache outcome', () => {
  const [request] = requestTree('trace-test-1');
  const [execute] = childrenOf(spans, request).filter((span) => span.name === 'meshgate.execute');
  const fetches = childrenOf(spans, execute).filter((span) => span.name === 'meshgate.fetch');
  const bySubgraph: Record<string, Record<string, unknown>> = Object.fromEntries(fetches.map((span) => [String(span.attributes['meshgate.subgraph']), span.attributes]));
  expect(Object.keys(bySubgraph).sort()).toEqual(['customers', 'finance', 'sales']);
  for (const attributes of Object.values(bySubgraph)) expect(attributes['meshgate.product']).toEqual(expect.any(String));
  // The root field's fetch is not cacheable; the entity fetches missed the (empty) entity cache and were sent.
  expect(bySubgraph.sales).toMatchObject({ 'meshgate.cache': 'bypass', 'meshgate.fetch.sent': true });
  expect(bySubgraph.customers).toMatchObject({ 'meshgate.cache': 'miss', 'meshgate.cache.hits': 0, 'meshgate.fetch.sent': true, 'meshgate.fetch.entities': expect.any(Number) });
  expect(bySubgraph.customers['meshgate.cache.misses']).toBe(bySubgraph.customers['meshgate.fetch.entities']);
});

test('a repeated request: its entity fetches are cache hits, sent nowhere, with no subgraph span under them', () => {
  const fetches = requestTree('trace-test-2').filter((span) => span.name === 'meshgate.fetch');
  const customers = fetches.find((span) => span.attributes['meshgate.subgraph'] === 'customers')!;
  expect(customers.attributes).toMatchObject({ 'meshgate.cache': 'hit', 'meshgate.cache.misses': 0, 'meshgate.fetch.sent': false });
  expect(childrenOf(spans, customers)).toEqual([]);
  const sales = fetches.find((span) => span.attributes['meshgate.subgraph'] === 'sales')!;
  expect(childrenOf(spans, sales).map((span) => span.name)).toEqual(['meshgate.subgraph.request']);
});

test("the subgraphs' spans are children of the gateway's fetch spans (through traceparent), down to resolvers and SQL", () => {
  // In-process meshes share one SDK; the subgraph's server extracts its parent from the request's headers, never from the caller's async context.
  const fetches = requestTree('trace-test-1').filter((span) => span.name === 'meshgate.fetch');
  for (const fetch of fetches) {
    const subgraph = fetch.attributes['meshgate.subgraph'];
    const served = childrenOf(spans, fetch);
    expect(served.map((span) => span.name)).toEqual(['meshgate.subgraph.request']);
    expect(served[0].attributes).toMatchObject({ 'meshgate.subgraph': subgraph, 'meshgate.request_id': 'trace-test-1' });
    const resolvers = childrenOf(spans, served[0]).filter((span) => span.name === 'meshgate.resolve');
    expect(resolvers.length).toBeGreaterThanOrEqual(1);
    // SQL of a root field's own work is under its span; SQL of the fields below it (Order.payment), under the request's.
    const sql = descendantsOf(spans, served[0]).filter((span) => span.name === 'meshgate.sql');
    expect(sql.length).toBeGreaterThanOrEqual(1);
    for (const statement of sql) {
      expect(statement.attributes['db.system.name']).toBe('postgresql');
      expect(statement.attributes['db.query.text']).toMatch(/^\s*(SELECT|WITH)/i);
    }
  }
  const underResolvers = requestTree('trace-test-1').filter((span) => span.name === 'meshgate.sql').filter((statement) => spans.find((span) => span.spanId === statement.parentSpanId)?.name === 'meshgate.resolve');
  expect(underResolvers.length).toBeGreaterThanOrEqual(2);
  const entityBatches = requestTree('trace-test-1').filter((span) => span.name === 'meshgate.resolve').filter((span) => span.attributes['graphql.field.path'] === 'Query._entities');
  expect(entityBatches.length).toBe(2);
  const customers = entityBatches.find((span) => span.attributes['meshgate.subgraph'] === 'customers')!;
  expect(customers.attributes['meshgate.entities.types']).toEqual(['Customer']);
  expect(requestTree('trace-test-1').filter((span) => span.name === 'meshgate.resolve').find((span) => span.attributes['meshgate.subgraph'] === 'sales')!.attributes['graphql.field.path']).toBe('Query.orders');
});

test("access-log lines carry their request's trace and span ids, in the gateway and in each subgraph", () => {
  const [request, ...below] = requestTree('trace-test-1');
  const lines = logLines.filter((line) => line.msg === 'request' && line.requestId === 'trace-test-1');
  const gateway = lines.filter((line) => line.service === 'meshgate');
  expect(gateway).toEqual([expect.objectContaining({ traceId: request.traceId, spanId: request.spanId })]);
  const served = below.filter((span) => span.name === 'meshgate.subgraph.request');
  const subgraphLines = lines.filter((line) => line.service === 'subgraph');
  expect(subgraphLines).toHaveLength(served.length);
  for (const line of subgraphLines) {
    expect(line.traceId).toBe(request.traceId);
    expect(served.find((span) => span.spanId === line.spanId)?.attributes['meshgate.subgraph']).toBe(line.subgraph);
  }
});
