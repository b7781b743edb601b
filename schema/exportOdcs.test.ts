/** `npm run export -- odcs`: each product's contract as ODCS v3 YAML (issue #5). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { domains } from '../subgraphs';
import { loadDescriptor, type DataProductDescriptor } from '../subgraphs/lib/descriptor';
import { exportOdcs } from './exportCli';

type Json = Record<string, any>;
let out: string;
const contracts = new Map<string, Json>();

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'meshgate-odcs-'));
  const { written, errors } = exportOdcs(out);
  expect(errors).toEqual([]);
  expect(written).toHaveLength(domains.length);
  for (const file of readdirSync(out)) contracts.set(file.replace('.odcs.yaml', ''), parse(readFileSync(join(out, file), 'utf8')));
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

const descriptorOf = (name: string): DataProductDescriptor => {
  const outcome = loadDescriptor(domains.find((d) => d.name === name)!.dir);
  if (!outcome.ok) throw new Error(outcome.errors.join('\n'));
  return outcome.descriptor;
};
const object = (contract: Json, name: string) => contract.schema.find((o: Json) => o.name === name);
const property = (o: Json, name: string) => o.properties.find((p: Json) => p.name === name);

/** Every quality entry anywhere in a contract (objects, properties, nested properties). */
function qualityNames(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(qualityNames);
  if (!node || typeof node !== 'object') return [];
  const own = Array.isArray((node as Json).quality) ? (node as Json).quality.map((q: Json) => q.name) : [];
  return [...own, ...Object.entries(node).filter(([key]) => key !== 'quality').flatMap(([, value]) => qualityNames(value))];
}

test.each(domains.map((d) => d.name))('the %s contract carries the ODCS v3 core fields from its descriptor', (name) => {
  const contract = contracts.get(name)!;
  const descriptor = descriptorOf(name);
  expect(contract).toMatchObject({
    apiVersion: 'v3.1.0',
    kind: 'DataContract',
    id: descriptor.id,
    name: descriptor.name,
    version: descriptor.version,
    status: descriptor.status,
    domain: name,
    dataProduct: descriptor.name,
    description: { purpose: descriptor.description.purpose, limitations: descriptor.description.limitations, usage: descriptor.description.usage },
    tags: descriptor.tags,
    team: { name: descriptor.owner.team, members: [{ username: descriptor.owner.contact, role: 'owner' }] },
    support: [{ tool: 'email', url: `mailto:${descriptor.owner.contact}` }],
  });
  expect(contract.description.customProperties).toEqual([{ property: 'termsOfUse', value: descriptor.termsOfUse.summary }]);
  expect(contract.slaProperties.map((p: Json) => p.property)).toEqual(['availability', 'latency', 'retention', 'responseTimeP95']);
  // Every quality rule appears once, wherever it landed.
  expect(qualityNames(contract.schema).sort()).toEqual(descriptor.quality.rules.map((r) => r.name).sort());
  for (const o of contract.schema) expect(o.logicalType).toBe('object');
});

test('objects map to tables, properties to columns, and PII fields are classified', () => {
  const customers = contracts.get('customers')!;
  const customer = object(customers, 'Customer');
  expect(customer).toMatchObject({ physicalType: 'table', physicalName: 'customers.customer', description: 'A person or company that buys from us. Owned by the customers domain.' });
  expect(property(customer, 'id')).toMatchObject({ logicalType: 'string', required: true, primaryKey: true, physicalType: 'integer' });
  expect(property(customer, 'signedUpAt')).toMatchObject({ logicalType: 'timestamp', physicalName: 'signed_up_at', physicalType: 'timestamptz' });
  expect(property(customer, 'email')).toMatchObject({ classification: 'restricted', tags: ['pii', 'pii:contact'], unique: true });
  expect(property(customer, 'name')).toMatchObject({ classification: 'restricted', tags: ['pii', 'pii:identity'] });
  expect(property(customer, 'segment').classification).toBeUndefined();
  expect(property(customer, 'phone').required).toBe(false);
});

test('quality rules map to ODCS library metrics or SQL, with severity, dimension and schedule', () => {
  const customer = object(contracts.get('customers')!, 'Customer');
  expect(property(customer, 'email').quality).toEqual([
    expect.objectContaining({ name: 'customer-email-present', metric: 'nullValues', mustBe: 0, dimension: 'completeness', severity: 'error', scheduler: 'meshgate', schedule: 'PT1H' }),
    expect.objectContaining({ name: 'customer-email-unique', metric: 'duplicateValues', mustBe: 0, dimension: 'uniqueness' }),
  ]);
  expect(property(customer, 'segment').quality).toEqual([
    expect.objectContaining({ metric: 'invalidValues', arguments: { validValues: ['CONSUMER', 'SMALL_BUSINESS', 'ENTERPRISE'] }, mustBe: 0 }),
  ]);
  expect(customer.quality).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ name: 'customer-country-iso', type: 'sql', query: "SELECT count(*) FROM customer WHERE country !~ '^[A-Z]{2}$'", mustBe: 0 }),
      expect.objectContaining({ name: 'customers-fresh', type: 'sql', mustBeLessOrEqualTo: 86_400, unit: 'seconds', dimension: 'timeliness', severity: 'warning' }),
    ]),
  );
  const product = object(contracts.get('products')!, 'Product');
  expect(product.quality).toContainEqual(expect.objectContaining({ name: 'catalog-loaded', metric: 'rowCount', mustBeGreaterOrEqualTo: 10 }));
  expect(property(product, 'price').quality).toEqual([expect.objectContaining({ name: 'product-price-positive', type: 'sql', query: 'SELECT count(*) FROM products.product WHERE price < 0.01', mustBe: 0 })]);
});

test('fields a product adds to another product’s entity are their own object; SLA values carry units', () => {
  const finance = contracts.get('finance')!;
  expect(object(finance, 'Order')).toMatchObject({ description: 'Fields the finance product adds to Order, which the sales product owns.' });
  expect(property(object(finance, 'Order'), 'payment')).toMatchObject({ logicalType: 'string', required: false });
  // Sales' total and status, which amountDue @requires, are sales' contract, not finance's.
  expect(object(finance, 'Order').properties.map((p: Json) => p.name)).toEqual(['id', 'payment', 'amountDue']);
  expect(object(finance, 'Order').physicalName).toBeUndefined();
  expect(property(object(finance, 'Transaction'), 'anomaly')).toMatchObject({ logicalType: 'object', properties: expect.arrayContaining([expect.objectContaining({ name: 'score', logicalType: 'number' })]) });
  expect(finance.slaProperties).toEqual([
    { property: 'availability', value: 99.9, unit: 'percent' },
    expect.objectContaining({ property: 'latency', value: 15, unit: 'min', element: 'transactions.occurred_at' }),
    expect.objectContaining({ property: 'retention', value: 10, unit: 'y' }),
    expect.objectContaining({ property: 'responseTimeP95', value: 150, unit: 'ms' }),
  ]);
});

test('the command line writes the contracts where asked, and rejects an unknown target', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(__dirname, 'exportCli.ts'), ...args], { encoding: 'utf8' });
  const dir = join(out, 'cli');
  const result = cli('odcs', '--out', dir);
  expect(result.status).toBe(0);
  expect(readdirSync(dir).sort()).toEqual(domains.map((d) => `${d.name}.odcs.yaml`).sort());
  expect(readFileSync(join(dir, 'sales.odcs.yaml'), 'utf8')).toMatch(/^# ODCS v3\.1\.0 data contract of the Orders data product\./);
  const bad = cli('datahub');
  expect(bad.status).toBe(2);
  expect(bad.stderr).toContain('expected one target, odcs or json-schema, got datahub');
});
