/**
 * Request metrics on /metrics (issue 18, Operators): requests, errors by code
 * and latency histograms per operation name (bounded), per subgraph and per
 * data product, read from /metrics after real queries through a real mesh.
 */
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ADMIN, ANALYST } from './principals';

jest.setTimeout(120_000);

let mesh: TestMesh;
let text: string;

const ORDERS = 'query OrdersWithCustomers { orders(first: 3) { edges { node { id customer { segment } payment { amount } } } } }';

/** The value of the sample with exactly these labels (in any order), or undefined. */
function sample(name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const given = Object.fromEntries([...match[2].matchAll(/(\w+)="([^"]*)"/g)].map(([, key, value]) => [key, value]));
    if (Object.keys(given).length === Object.keys(labels).length && Object.entries(labels).every(([key, value]) => given[key] === value)) return Number(match[3]);
  }
  return undefined;
}

const labelValues = (name: string, label: string) => new Set([...text.matchAll(new RegExp(`^${name}\\{[^}]*${label}="([^"]*)"`, 'gm'))].map((match) => match[1]));

beforeAll(async () => {
  mesh = await startMesh({
    gateway: {
      // The entity cache on, so a repeated query's customers are served without a fetch ("cached").
      cache: { responseCache: { enabled: false }, entityCache: { enabled: true }, dedupe: { enabled: false } },
      metrics: { operationNames: { max: 4 } },
    },
  });
  const admin = await tokenFor(ADMIN);
  expect((await mesh.query(ORDERS, undefined, admin)).body.errors).toBeUndefined();
  expect((await mesh.query(ORDERS, undefined, admin)).body.errors).toBeUndefined();
  // Denied fields: FORBIDDEN errors for the analyst (Customer.name).
  const denied = await mesh.query('query AnalystNames { orders(first: 2) { edges { node { id customer { name } } } } }', undefined, await tokenFor(ANALYST));
  expect(denied.body.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  // Refused before parsing: bad credentials; a document that does not parse.
  expect((await mesh.query('{ orders { totalCount } }', undefined, { authorization: 'Bearer nope' })).status).toBe(401);
  expect((await mesh.query('query Broken {', undefined, admin)).status).toBe(400);
  // Unnamed, and more names than metrics.operationNames.max: the rest are "other"; anonymous principals never take a slot.
  await mesh.query('{ orders(first: 1) { totalCount } }', undefined, admin);
  await mesh.query('query FromAnonymous { orders(first: 1) { totalCount } }');
  for (const name of ['Second', 'Third', 'Fourth', 'Fifth']) await mesh.query(`query ${name} { orders(first: 1) { totalCount } }`, undefined, admin);
  // A subgraph down: its fetches fail with SUBGRAPH_UNAVAILABLE, the rest is answered.
  await mesh.subgraphs.finance.stop();
  // More orders than before, so the payments are not all in the entity cache.
  const partial = await mesh.query(ORDERS.replace('first: 3', 'first: 6'), undefined, admin);
  expect(partial.body.errors?.some((error) => error.extensions?.code === 'SUBGRAPH_UNAVAILABLE')).toBe(true);
  const response = await fetch(mesh.gateway.url.replace('/graphql', '/metrics'));
  text = await response.text();
});

afterAll(() => mesh.stop());

test('requests per operation and HTTP status, and their latency', () => {
  expect(sample('meshgate_requests_total', { operation: 'OrdersWithCustomers', status: '200', transport: 'http' })).toBe(3);
  expect(sample('meshgate_request_duration_seconds_count', { operation: 'OrdersWithCustomers' })).toBe(3);
  expect(sample('meshgate_request_duration_seconds_bucket', { operation: 'OrdersWithCustomers', le: '+Inf' })).toBe(3);
  expect(sample('meshgate_request_duration_seconds_sum', { operation: 'OrdersWithCustomers' })).toBeGreaterThan(0);
  expect(sample('meshgate_requests_total', { operation: 'AnalystNames', status: '200', transport: 'http' })).toBe(1);
});

test('errors by code, once per request, with requests refused before parsing counted as unparsed', () => {
  expect(sample('meshgate_request_errors_total', { operation: 'AnalystNames', code: 'FORBIDDEN' })).toBe(1);
  expect(sample('meshgate_request_errors_total', { operation: 'OrdersWithCustomers', code: 'SUBGRAPH_UNAVAILABLE' })).toBe(1);
  expect(sample('meshgate_requests_total', { operation: 'unparsed', status: '401', transport: 'http' })).toBe(1);
  expect(sample('meshgate_request_errors_total', { operation: 'unparsed', code: 'UNAUTHENTICATED' })).toBe(1);
  expect(sample('meshgate_request_errors_total', { operation: 'Broken', code: 'GRAPHQL_PARSE_FAILED' }) ?? sample('meshgate_request_errors_total', { operation: 'anonymous', code: 'GRAPHQL_PARSE_FAILED' })).toBe(1);
});

test('operation names are bounded: anonymous, the first names seen from authenticated principals, then other', () => {
  const operations = labelValues('meshgate_requests_total', 'operation');
  expect(sample('meshgate_requests_total', { operation: 'anonymous', status: '200', transport: 'http' })).toBe(1);
  // max 4: OrdersWithCustomers, AnalystNames, Second, Third; the anonymous principal's name and the later ones are "other".
  expect(operations.has('FromAnonymous')).toBe(false);
  expect(operations.has('Fourth') || operations.has('Fifth')).toBe(false);
  expect(sample('meshgate_requests_total', { operation: 'other', status: '200', transport: 'http' })).toBe(3);
  expect([...operations].filter((name) => !['anonymous', 'other', 'unparsed'].includes(name)).length).toBeLessThanOrEqual(4);
});

test('subgraph fetches per subgraph and data product: ok, cached, error (with its code), and their latency', () => {
  expect(sample('meshgate_subgraph_fetches_total', { subgraph: 'sales', product: 'sales', outcome: 'ok' })).toBeGreaterThanOrEqual(3);
  // The second query's customers came from the entity cache: no request sent.
  expect(sample('meshgate_subgraph_fetches_total', { subgraph: 'customers', product: 'customers', outcome: 'cached' })).toBeGreaterThanOrEqual(1);
  expect(sample('meshgate_subgraph_fetches_total', { subgraph: 'finance', product: 'finance', outcome: 'error' })).toBe(1);
  expect(sample('meshgate_subgraph_fetch_errors_total', { subgraph: 'finance', product: 'finance', code: 'SUBGRAPH_UNAVAILABLE' })).toBe(1);
  expect(sample('meshgate_subgraph_fetch_duration_seconds_count', { subgraph: 'customers', product: 'customers' })).toBeGreaterThanOrEqual(3);
});

test('requests per data product, and their latency', () => {
  expect(sample('meshgate_data_product_requests_total', { product: 'finance' })).toBe(3);
  // The analyst's denied Customer.name was never fetched: that request did not read the customers product.
  expect(sample('meshgate_data_product_requests_total', { product: 'customers' })).toBe(3);
  // Every authenticated request that parsed read sales (the anonymous principal may not read orders: nothing fetched).
  expect(sample('meshgate_data_product_request_duration_seconds_count', { product: 'sales' })).toBe(9);
});
