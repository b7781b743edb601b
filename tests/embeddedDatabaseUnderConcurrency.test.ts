/**
 * Issue 17 §3: the embedded default database answers correctly under concurrency.
 *
 * The same path `npm start` uses: the embedded server on a local TCP port, every
 * domain's subgraph reaching it through its own `pg` pool (8 connections, as in
 * subgraphs/cli.ts), and the gateway in front. 1,000 mixed cross-domain queries
 * run 8 at a time, and every answer must equal the answer the same query got when
 * it ran alone. The queries carry parameters that differ between requests
 * (customer ids, order ids, filters, date ranges) so that a statement bound to
 * another connection's parameters shows up as a wrong or empty answer, not only
 * as a protocol error.
 *
 * The wire-level reproduction of the bug (electric-sql/pglite #1046: another
 * connection's Parse between a Parse and its Bind) is
 * tests/security/embeddedDatabaseKeepsConnectionsApart.test.ts, which fails on
 * pglite-socket's server; this one proves the whole path stays correct.
 */
import { PgDb } from '../subgraphs/lib/db';
import { startSubgraphServer, type RunningSubgraph } from '../subgraphs/lib/server';
import { seedDomain } from '../subgraphs/lib/storage';
import { TEST_GATEWAY_PUBLIC_KEY, TEST_SEED, TEST_SIGNING_KEY } from '../subgraphs/lib/testing';
import { domains } from '../subgraphs';
import { startGateway, type RunningGateway } from '../gateway/src';
import { createLogger } from '../gateway/src/logger';
import { queryGateway, testGatewayConfig, tokenFor } from './harness';
import { ADMIN } from './principals';
import { startEmbeddedDatabaseProcess, type EmbeddedDatabaseProcess } from './embeddedDatabaseProcess';

const TOTAL_QUERIES = 1000;
const CONCURRENCY = 8;

type Case = { name: string; query: string; variables?: Record<string, unknown> };

const REVENUE = `query Revenue($from: DateTime!, $to: DateTime!) {
  campaignPerformance(from: $from, to: $to) { campaign { id name channel } conversionCount conversions(first: 500) { totalCount edges { node { order { id total status customer { id segment } } } } } }
}`;
const LATE_DELIVERIES = `query LateDeliveries($from: DateTime, $to: DateTime) {
  deliveryPerformance(from: $from, to: $to) {
    late onTimeRate
    zone { name lateShipments(from: $from, to: $to, first: 10) { edges { node { delayHours carrier { name } order { id total customer { id segment } } } } } }
  }
}`;
const CUSTOMER_TRANSACTIONS = `query CustomerTransactions($id: ID!, $types: [TransactionType!], $from: DateTime, $min: Float, $field: TransactionSortField!) {
  customer(id: $id) {
    id name segment
    transactions(filter: { types: $types, from: $from, minAmount: $min }, first: 20, orderBy: { field: $field, direction: DESC }) {
      totalCount
      totalsByType { type count amount }
      edges { node { id type amount occurredAt anomaly { score flagged reasons } } }
      pageInfo { hasNextPage endCursor }
    }
  }
  anomalousTransactions(filter: { customerId: $id }) { edges { node { id amount occurredAt anomaly { reasons } } } }
}`;
const ORDER = `query Order($id: ID!) {
  order(id: $id) {
    id total status placedAt
    customer { id segment name }
    lines { lineNo quantity amount product { id name } }
    shipment { status carrier { name } zone { name } }
    payment { amount method status }
  }
}`;
const ORDERS_OF = `query OrdersOf($customerId: ID!, $minTotal: Float) {
  orders(filter: { customerId: $customerId, minTotal: $minTotal }, first: 10) { totalCount totalRevenue edges { node { id total status customer { id segment } } } }
}`;
const PRODUCT = `query Product($id: ID!) { product(id: $id) { id name } }`;
const TRANSACTION = `query Transaction($id: ID!) { transaction(id: $id) { id type amount customer { id segment } } }`;
const CUSTOMERS = `query Customers($segment: CustomerSegment) { customers(filter: { segment: $segment }, first: 10) { edges { node { id name segment totalSpent orderCount } } } }`;
const CUSTOMER_SEARCH = `query CustomerSearch($search: String) { customers(filter: { search: $search }, first: 5) { edges { node { id name } } } }`;
const PRODUCT_SEARCH = `query ProductSearch($search: String) { products(filter: { search: $search }, first: 5) { edges { node { id name } } } }`;
const LATE_IN_ZONE = `query LateInZone($zoneId: ID) { lateDeliveries(filter: { zoneId: $zoneId }, first: 10) { totalCount edges { node { id delayHours order { id total } } } } }`;

/** A mix of the README's dashboards and lookups by id, each case with its own parameters. */
function cases(): Case[] {
  const all: Case[] = [
    { name: 'revenue H1', query: REVENUE, variables: { from: '2026-01-01T00:00:00Z', to: '2026-07-01T00:00:00Z' } },
    { name: 'revenue H2', query: REVENUE, variables: { from: '2026-05-01T00:00:00Z', to: '2026-10-31T00:00:00Z' } },
    { name: 'late deliveries', query: LATE_DELIVERIES, variables: { from: '2026-09-01T00:00:00Z', to: '2026-10-31T00:00:00Z' } },
    { name: 'late deliveries, all time', query: LATE_DELIVERIES, variables: {} },
  ];
  const filters = [
    { types: ['DEPOSIT', 'WITHDRAWAL'], from: '2025-06-01T00:00:00Z', field: 'AMOUNT' },
    { types: null, from: null, min: 100, field: 'OCCURRED_AT' },
    { types: ['WITHDRAWAL'], from: null, field: 'AMOUNT' },
  ];
  [1, 7, 42, 63, 99].forEach((id, i) => all.push({ name: `customer ${id} transactions`, query: CUSTOMER_TRANSACTIONS, variables: { id: String(id), ...filters[i % filters.length] } }));
  for (const id of [1, 17, 250, 512, 999]) all.push({ name: `order ${id}`, query: ORDER, variables: { id: String(id) } });
  [3, 42, 77].forEach((id, i) => all.push({ name: `orders of ${id}`, query: ORDERS_OF, variables: { customerId: String(id), minTotal: i === 1 ? 50 : null } }));
  for (const id of [2, 9, 31]) all.push({ name: `product ${id}`, query: PRODUCT, variables: { id: String(id) } });
  for (const id of [5, 123, 1500]) all.push({ name: `transaction ${id}`, query: TRANSACTION, variables: { id: String(id) } });
  for (const segment of ['CONSUMER', 'SMALL_BUSINESS', 'ENTERPRISE']) all.push({ name: `customers ${segment}`, query: CUSTOMERS, variables: { segment } });
  for (const zoneId of ['1', '3']) all.push({ name: `late in zone ${zoneId}`, query: LATE_IN_ZONE, variables: { zoneId } });
  // Searches with long terms: their statements reach the database in more than one TCP read, which is when another
  // connection's messages could slip in between (pglite-socket interleaved them there; see the file's top comment).
  all.push({ name: 'customers searched by a long term', query: CUSTOMER_SEARCH, variables: { search: 'a'.repeat(70_000) } });
  all.push({ name: 'products searched by a long term', query: PRODUCT_SEARCH, variables: { search: 'b'.repeat(80_000) } });
  return all;
}

/** What must be equal between the sequential and the concurrent run: data and errors, nothing timing-dependent. */
const answerOf = (body: { data?: unknown; errors?: unknown }) => JSON.stringify({ data: body.data ?? null, errors: body.errors ?? null });

let embedded: EmbeddedDatabaseProcess;
const dbs: PgDb[] = [];
const subgraphs: RunningSubgraph[] = [];
let gateway: RunningGateway;
let headers: Record<string, string>;

beforeAll(async () => {
  embedded = await startEmbeddedDatabaseProcess();
  const seeding = new PgDb(embedded.url, 2);
  const quiet = { write: () => true } as unknown as NodeJS.WriteStream;
  for (const domain of domains) await seedDomain(seeding, domain, { ...TEST_SEED, log: quiet });
  await seeding.close();
  for (const domain of domains) {
    // Each subgraph with its own pool of 8 connections, as `npm start` runs them.
    const db = new PgDb(embedded.url, 8);
    dbs.push(db);
    subgraphs.push(await startSubgraphServer(domain, db, { gatewayPublicKeys: [TEST_GATEWAY_PUBLIC_KEY], dataProduct: false }));
  }
  const { config } = testGatewayConfig(subgraphs, TEST_SIGNING_KEY);
  gateway = await startGateway(config, createLogger('silent'));
  headers = await tokenFor(ADMIN);
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
  await Promise.all(dbs.map((db) => db.close()));
  await embedded?.stop();
});

test('1,000 mixed cross-domain queries 8 at a time answer exactly as each query run alone (issue 17 §3)', async () => {
  const mix = cases();
  // The reference: every case alone, one after another.
  const expected = new Map<string, string>();
  for (const c of mix) {
    const { status, body } = await queryGateway(gateway.url, c.query, c.variables, headers);
    expect({ case: c.name, status, errors: body.errors }).toEqual({ case: c.name, status: 200, errors: undefined });
    expected.set(c.name, answerOf(body));
  }
  // The parameters must select different rows, or a swapped binding could not be seen.
  expect(new Set(expected.values()).size).toBe(mix.length);

  // The same cases, interleaved in a fixed pseudo-random order, 8 requests in flight at any time.
  const order = Array.from({ length: TOTAL_QUERIES }, (_, i) => mix[(i * 7919 + (i >> 3)) % mix.length]);
  const mismatches: { case: string; got: string }[] = [];
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < order.length) {
        const c = order[next++];
        const { body } = await queryGateway(gateway.url, c.query, c.variables, headers);
        const got = answerOf(body);
        if (got !== expected.get(c.name)) mismatches.push({ case: c.name, got: got.slice(0, 300) });
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  console.log(`${TOTAL_QUERIES} queries, ${CONCURRENCY} at a time: ${seconds.toFixed(1)} s (${(TOTAL_QUERIES / seconds).toFixed(0)}/s), ${mismatches.length} differed from the sequential answers`);
  expect(mismatches.slice(0, 5)).toEqual([]);
  expect(mismatches.length).toBe(0);
}, 180_000);
