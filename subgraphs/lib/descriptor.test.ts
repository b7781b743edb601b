import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { descriptorJsonSchemaText, JSON_SCHEMA_FILE } from '../../schema/exportCli';
import { validDescriptor } from '../../schema/lint/testing';
import { domains } from '..';
import { loadDescriptor, parseDescriptor, parseDescriptorYaml, parseIsoDuration, readOnlySelectProblem } from './descriptor';

const errorsOf = (raw: unknown) => {
  const outcome = parseDescriptor(raw);
  return outcome.ok ? [] : outcome.errors;
};

test('every domain has a valid descriptor for its own domain', () => {
  for (const domain of domains) {
    const outcome = loadDescriptor(domain.dir);
    expect({ domain: domain.name, errors: outcome.ok ? [] : outcome.errors }).toEqual({ domain: domain.name, errors: [] });
    if (outcome.ok) expect(outcome.descriptor.domain).toBe(domain.name);
  }
});

test('defaults fill what a minimal descriptor leaves out', () => {
  const raw = validDescriptor();
  delete raw.pii;
  delete raw.tags;
  raw.quality = { rules: [{ name: 'item-name-present', type: 'notNull', table: 'item', column: 'name' }] };
  const outcome = parseDescriptor(raw);
  if (!outcome.ok) throw new Error(outcome.errors.join('\n'));
  expect(outcome.descriptor.pii).toEqual({});
  expect(outcome.descriptor.tags).toEqual([]);
  expect(outcome.descriptor.quality).toEqual({ schedule: 'PT1H', rules: [{ name: 'item-name-present', type: 'notNull', table: 'item', column: 'name', severity: 'error' }] });
});

describe('gives descriptive errors for bad descriptors', () => {
  test('a bad duration names the key, the format and the value', () => {
    expect(errorsOf(validDescriptor({ sla: { availability: '99.9%', latencyP95Ms: 100, freshness: '1 day', retention: 'P1Y' } }))).toEqual([
      'sla.freshness: expected an ISO-8601 duration such as PT24H, got "1 day"',
    ]);
  });

  test('missing keys, wrong types, unknown keys and bad enum values', () => {
    const raw = validDescriptor({ version: 1, status: 'live', extra: true, sla: { availability: 99.9, latencyP95Ms: '100ms', freshness: 'PT1H', retention: 'P1Y', uptime: 1 } });
    delete raw.description;
    expect(errorsOf(raw)).toEqual([
      'version: expected a semantic version such as 1.0.0, got 1',
      'status: expected one of "draft" | "active" | "deprecated" | "retired", got "live"',
      'description: required (expected object)',
      'sla.availability: expected a percentage such as 99.9%, got 99.9',
      'sla.latencyP95Ms: expected number, got "100ms"',
      'sla.uptime: unknown key',
      'extra: unknown key',
    ]);
  });

  test('quality rules: unknown types, bad names, foreign tables, missing bounds, duplicates', () => {
    const rules = [
      { name: 'a', type: 'nonNull', table: 'item', column: 'name' },
      { name: 'Bad Name', type: 'notNull', table: 'item', column: 'name' },
      { name: 'foreign', type: 'unique', table: 'sales.orders', column: 'id' },
      { name: 'no-bounds', type: 'range', table: 'item', column: 'price' },
      { name: 'dup', type: 'rowCount', table: 'item', min: 10, max: 1 },
      { name: 'dup', type: 'rowCount', table: 'item', min: 1 },
      { name: 'two-ops', type: 'sql', query: 'SELECT 1', mustBe: 1, mustBeLessThan: 2 },
    ];
    expect(errorsOf(validDescriptor({ quality: { rules } }))).toEqual([
      'quality.rules[0].type: expected one of "notNull" | "unique" | "acceptedValues" | "range" | "rowCount" | "freshness" | "sql" | "model", got "nonNull"',
      'quality.rules[1].name: expected a kebab-case rule name such as orders-total-positive, got "Bad Name"',
    ]);
    // Cross-field checks run once the shapes are right.
    expect(errorsOf(validDescriptor({ quality: { rules: rules.slice(2) } }))).toEqual([
      'quality.rules[0].table: expected a table in this domain\'s schema "shop", got "sales.orders"',
      'quality.rules[1]: a range rule needs min, max or both',
      'quality.rules[2].min: min (10) is greater than max (1)',
      'quality.rules[3].name: duplicate rule name "dup"',
      'quality.rules[4]: expected at most one operator, got mustBe, mustBeLessThan',
    ]);
  });

  test('custom SQL must be one read-only SELECT', () => {
    const sql = (query: string) => errorsOf(validDescriptor({ quality: { rules: [{ name: 'custom', type: 'sql', query, mustBe: 0 }] } }));
    expect(sql('SELECT count(*) FROM item')).toEqual([]);
    expect(sql("SELECT count(*) FROM item WHERE name = 'a;b'")).toEqual([]);
    expect(sql('SELECT 1; DELETE FROM item')).toEqual(['quality.rules[0].query: expected a single SQL statement, got several (remove the ";" between them)']);
    expect(sql('DELETE FROM item')).toEqual(['quality.rules[0].query: expected a SELECT (or WITH ... SELECT) statement, got one starting with "DELETE"']);
    expect(sql('WITH gone AS (DELETE FROM item RETURNING 1) SELECT count(*) FROM gone')).toEqual(['quality.rules[0].query: expected a read-only query, got one containing DELETE']);
    expect(readOnlySelectProblem('SELECT * FROM item FOR UPDATE')).toBe('expected a read-only query, got one containing UPDATE');
  });

  test('a deprecated product must say why', () => {
    expect(errorsOf(validDescriptor({ status: 'deprecated' }))).toEqual(['deprecation: required when status is deprecated: give a reason (and replacedBy, sunset when known)']);
    expect(errorsOf(validDescriptor({ status: 'deprecated', deprecation: { reason: 'Replaced by shop2.', replacedBy: 'shop2', sunset: '2027-06-30' } }))).toEqual([]);
  });

  test('PII keys are Type.field and categories come from a fixed list', () => {
    expect(errorsOf(validDescriptor({ pii: { email: 'contact', 'Person.email': 'secret' } }))).toEqual([
      'pii.email: expected Type.field, got "email"',
      'pii.Person.email: expected one of "identity" | "contact" | "financial" | "location" | "health" | "demographic" | "other", got "secret"',
    ]);
  });

  test('errors from YAML carry the line of the bad key; syntax errors too', () => {
    const text = stringify(validDescriptor({ sla: { availability: '99.9%', latencyP95Ms: 100, freshness: '1 day', retention: 'P1Y' } }));
    const outcome = parseDescriptorYaml(text);
    if (outcome.ok) throw new Error('expected errors');
    const line = text.split('\n').findIndex((l) => l.includes('freshness:')) + 1;
    expect(outcome.problems).toEqual([{ message: 'sla.freshness: expected an ISO-8601 duration such as PT24H, got "1 day"', path: ['sla', 'freshness'], line }]);
    const broken = parseDescriptorYaml('id: shop\nname: [unclosed\n');
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.errors[0]).toMatch(/^\(yaml\): .* at line \d+$/);
    const duplicate = parseDescriptorYaml('id: shop\nid: other\n');
    if (!duplicate.ok) expect(duplicate.errors[0]).toMatch(/^\(yaml\): Map keys must be unique/);
  });

  test('a missing file says which and where to start', () => {
    const outcome = loadDescriptor('/nowhere');
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.errors).toEqual(['(file): dataproduct.yaml not found in /nowhere; every data product needs one (see subgraphs/templates/domain/)']);
  });
});

test('ISO-8601 durations', () => {
  expect(parseIsoDuration('PT15M')).toBe(15 * 60_000);
  expect(parseIsoDuration('PT24H')).toBe(86_400_000);
  expect(parseIsoDuration('P1DT12H')).toBe(36 * 3_600_000);
  expect(parseIsoDuration('P7Y')).toBe(7 * 365 * 86_400_000);
  expect(parseIsoDuration('PT0.5S')).toBe(500);
  for (const bad of ['P', 'PT', '1 day', 'P1H', 'PT1D', '24h']) expect(parseIsoDuration(bad)).toBeNull();
});

test('the published JSON Schema (schema/dataproduct.schema.json) is generated from the zod schema and up to date', () => {
  // Stale? Run: npm run export -- json-schema
  expect(readFileSync(JSON_SCHEMA_FILE, 'utf8')).toBe(descriptorJsonSchemaText());
  const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', 'schema', 'dataproduct.schema.json'), 'utf8'));
  expect(schema.additionalProperties).toBe(false);
  expect(schema.required).toEqual(expect.arrayContaining(['id', 'name', 'domain', 'owner', 'description', 'status', 'version', 'sla', 'termsOfUse']));
  expect(schema.properties.sla.properties.freshness.pattern).toBeDefined();
});
