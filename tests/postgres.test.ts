/**
 * The PostgreSQL path: the same subgraph code on a real PostgreSQL server
 * (127.0.0.1:5432, or TEST_DATABASE_URL). Each domain gets its own schema and
 * connects as its own role that may only use that schema, which proves that no
 * domain reads another's tables.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { PgDb } from '../subgraphs/lib/db';
import { startSubgraphServer, type RunningSubgraph } from '../subgraphs/lib/server';
import { ensureSeeded } from '../subgraphs/lib/storage';
import { TEST_GATEWAY_PUBLIC_KEY, TEST_SEED, TEST_SIGNING_KEY } from '../subgraphs/lib/testing';
import { developmentJwtConfig } from '../gateway/src/identity/config';
import { tokenFor } from './harness';
import { ADMIN } from './principals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { domains } from '../subgraphs';
import { parseConfig } from '../gateway/src/config';
import { startGateway, type RunningGateway } from '../gateway/src';
import { createLogger } from '../gateway/src/logger';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const database = `meshgate_test_${randomBytes(4).toString('hex')}`;
const databaseUrl = (user = 'postgres') => {
  const url = new URL(SERVER_URL);
  url.username = user;
  url.pathname = `/${database}`;
  return url.toString();
};
const roleOf = (domain: string) => `${database}_${domain}`;
const quiet = { write: () => true } as unknown as NodeJS.WriteStream;

let admin: Client;
const dbs: PgDb[] = [];
const subgraphs: RunningSubgraph[] = [];
let gateway: RunningGateway;

beforeAll(async () => {
  admin = new Client({ connectionString: SERVER_URL });
  await admin.connect().catch((error) => {
    throw new Error(`PostgreSQL is required for this test at ${SERVER_URL} (set TEST_DATABASE_URL to use another): ${error.message}`);
  });
  await admin.query(`CREATE DATABASE ${database}`);
  const owner = new PgDb(databaseUrl(), 2);
  for (const domain of domains) {
    expect(await ensureSeeded(owner, domain, { ...TEST_SEED, log: quiet })).toBe('seeded');
    const role = roleOf(domain.name);
    await owner.query(`CREATE ROLE ${role} LOGIN`);
    await owner.query(`GRANT USAGE ON SCHEMA ${domain.name} TO ${role}`);
    await owner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${domain.name} TO ${role}`);
  }
  // Seeding again with the same seed and scale reuses the data.
  expect(await ensureSeeded(owner, domains[0], { ...TEST_SEED, log: quiet })).toBe('reused');
  await owner.close();

  for (const domain of domains) {
    const db = new PgDb(databaseUrl(roleOf(domain.name)), 4);
    dbs.push(db);
    subgraphs.push(await startSubgraphServer(domain, db, { gatewayPublicKeys: [TEST_GATEWAY_PUBLIC_KEY] }));
  }
  const config = parseConfig({
    server: { port: 0 },
    logging: { level: 'silent' },
    subgraphs: subgraphs.map(({ name, url }) => ({ name, url })),
    subgraphRequests: { signingKey: TEST_SIGNING_KEY },
    identity: { jwt: developmentJwtConfig({}) },
    audit: { file: join(mkdtempSync(join(tmpdir(), 'meshgate-audit-')), 'audit.jsonl') },
  });
  gateway = await startGateway(config, createLogger('silent'));
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  await Promise.all(subgraphs.map((subgraph) => subgraph.stop()));
  await Promise.all(dbs.map((db) => db.close()));
  if (admin) {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    for (const domain of domains) await admin.query(`DROP ROLE IF EXISTS ${roleOf(domain.name)}`);
    await admin.end();
  }
});

const ask = async (query: string, variables?: Record<string, unknown>) => {
  const response = await fetch(gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await tokenFor(ADMIN)) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
};

test('a domain role cannot read another domain’s tables', async () => {
  const sales = new Client({ connectionString: databaseUrl(roleOf('sales')) });
  await sales.connect();
  try {
    await expect(sales.query('SELECT count(*) FROM customers.customer')).rejects.toThrow(/permission denied/);
    const { rows } = await sales.query('SELECT count(*)::int AS count FROM sales.orders');
    expect(rows[0].count).toBeGreaterThan(0);
  } finally {
    await sales.end();
  }
});

test('cross-domain queries on PostgreSQL return the data the tables hold', async () => {
  const body = await ask(`{
    orders(first: 50, orderBy: { field: TOTAL, direction: DESC }) {
      totalCount
      edges { node { id total customer { id segment } payment { amount } shipment { zone { name } } campaign { id } lines { product { id } } } }
    }
  }`);
  expect(body.errors).toBeUndefined();
  const nodes = body.data.orders.edges.map((edge: any) => edge.node);
  const client = new Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    const { rows } = await client.query(
      `SELECT o.id::text, o.total::float AS total, cu.segment, p.amount::float AS paid, z.name AS zone, cv.campaign_id::text AS campaign
         FROM sales.orders o
         JOIN customers.customer cu ON cu.id = o.customer_id
         LEFT JOIN finance.payments p ON p.order_id = o.id
         LEFT JOIN logistics.shipment s ON s.order_id = o.id
         LEFT JOIN logistics.delivery_zone z ON z.id = s.zone_id
         LEFT JOIN marketing.conversion cv ON cv.order_id = o.id
        ORDER BY o.total DESC, o.id DESC LIMIT 50`,
    );
    expect(nodes.map((node: any) => [node.id, node.total, node.customer.segment, node.payment?.amount ?? null, node.shipment?.zone.name ?? null, node.campaign?.id ?? null])).toEqual(
      rows.map((row) => [row.id, row.total, row.segment, row.paid, row.zone, row.campaign]),
    );
    const [{ count }] = (await client.query('SELECT count(*)::int AS count FROM sales.orders')).rows;
    expect(body.data.orders.totalCount).toBe(count);
  } finally {
    await client.end();
  }
});

test('a customer’s filtered, paginated transactions come from PostgreSQL', async () => {
  const body = await ask(`{
    transactions(filter: { types: [WITHDRAWAL] , minAmount: 50 }, first: 10, orderBy: { field: AMOUNT, direction: DESC }) {
      totalCount
      edges { node { amount type customer { name } } }
    }
  }`);
  expect(body.errors).toBeUndefined();
  const amounts = body.data.transactions.edges.map((edge: any) => edge.node.amount);
  expect(amounts).toEqual([...amounts].sort((a: number, b: number) => b - a));
  expect(body.data.transactions.edges.every((edge: any) => edge.node.type === 'WITHDRAWAL' && edge.node.amount >= 50 && edge.node.customer.name)).toBe(true);
});
