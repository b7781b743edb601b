/**
 * Trace context is input (issue 18): a client's W3C traceparent becomes the
 * parent of its request only when the principal is trusted (service
 * principals, and ids listed in tracing.propagation.trustedPrincipals). An
 * analyst, an anonymous client or a request with bad credentials gets a new
 * trace, linked to the span it named: it cannot choose the trace id the
 * gateway and the subgraphs record, graft its requests into someone else's
 * trace, or make its sampled flag decide what the gateway records.
 */
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ANALYST, ORDER_SERVICE } from '../principals';
import { descendantsOf, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../otlpReceiver';

jest.setTimeout(120_000);

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const TRACEPARENT = `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`;
const QUERY = '{ orders(first: 2) { edges { node { id customer { segment } } } } }';

let receiver: OtlpReceiver;
let mesh: TestMesh;
let spans: ReceivedSpan[];

const ask = async (requestId: string, headers: Record<string, string>) => {
  const { status } = await mesh.query(QUERY, undefined, { ...headers, traceparent: TRACEPARENT, tracestate: 'vendor=chosen-by-client', 'x-request-id': requestId });
  return status;
};

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mesh = await startMesh({ gateway: { tracing: { endpoint: receiver.endpoint, propagation: { trustedPrincipals: ['trusted-user'] } } } });
  expect(await ask('analyst', await tokenFor(ANALYST))).toBe(200);
  expect(await ask('anonymous', {})).toBe(200);
  expect(await ask('bad-credentials', { authorization: 'Bearer not-a-token' })).toBe(401);
  expect(await ask('service', await tokenFor(ORDER_SERVICE))).toBe(200);
  expect(await ask('listed-user', await tokenFor({ ...ANALYST, sub: 'trusted-user' }))).toBe(200);
  await mesh.stop();
  spans = receiver.spans;
});

afterAll(() => receiver.close());

const requestSpan = (requestId: string) => {
  const found = spans.filter((span) => span.name === 'POST /graphql' && span.attributes['meshgate.request_id'] === requestId);
  expect(found).toHaveLength(1);
  return found[0];
};

test.each(['analyst', 'anonymous', 'bad-credentials'])("an untrusted client's traceparent (%s) starts a new trace, linked, never the parent", (requestId) => {
  const request = requestSpan(requestId);
  expect(request.traceId).not.toBe(CLIENT_TRACE);
  expect(request.parentSpanId).toBeUndefined();
  expect(request.attributes['meshgate.traceparent']).toBe('untrusted');
  expect(request.links).toEqual([expect.objectContaining({ traceId: CLIENT_TRACE, spanId: CLIENT_SPAN })]);
  // Nothing of the request, in the gateway or the subgraphs, landed in the client's trace.
  for (const span of descendantsOf(spans, request)) expect(span.traceId).toBe(request.traceId);
});

test("no span at all is recorded in the client's chosen trace for untrusted requests", () => {
  const trusted = new Set([requestSpan('service').spanId, requestSpan('listed-user').spanId]);
  const inClientTrace = spans.filter((span) => span.traceId === CLIENT_TRACE);
  const roots = inClientTrace.filter((span) => span.parentSpanId === CLIENT_SPAN);
  expect(roots.every((span) => trusted.has(span.spanId))).toBe(true);
  expect(inClientTrace.length).toBeGreaterThan(0);
});

test.each(['service', 'listed-user'])("a trusted principal's traceparent (%s) is the parent, down to the subgraphs", (requestId) => {
  const request = requestSpan(requestId);
  expect(request.traceId).toBe(CLIENT_TRACE);
  expect(request.parentSpanId).toBe(CLIENT_SPAN);
  expect(request.attributes['meshgate.traceparent']).toBe('trusted');
  const below = descendantsOf(spans, request);
  expect(below.some((span) => span.name === 'meshgate.subgraph.request')).toBe(true);
  for (const span of below) expect(span.traceId).toBe(CLIENT_TRACE);
});
