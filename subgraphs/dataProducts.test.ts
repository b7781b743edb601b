/**
 * Every domain's data product: its descriptor's quality rules run inside the
 * domain against its own seeded data, as the subgraph runs them on a schedule.
 * Guards issue #5 (descriptor, quality rules).
 */
import { loadDescriptor, type DataProductDescriptor, type QualityRule } from './lib/descriptor';
import { runQualityRules } from './lib/quality';
import { startDomainForTest, type DomainUnderTest } from './lib/testing';
import { domains } from '.';

describe.each(domains.map((domain) => [domain.name, domain] as const))('the %s data product', (name, definition) => {
  let domain: DomainUnderTest;
  let descriptor: DataProductDescriptor;
  beforeAll(async () => {
    const outcome = loadDescriptor(definition.dir);
    if (!outcome.ok) throw new Error(outcome.errors.join('\n'));
    descriptor = outcome.descriptor;
    domain = await startDomainForTest(definition);
  });
  afterAll(() => domain?.stop());

  test('declares 3 to 6 quality rules against its own tables (and one per measure of each model it serves), with a freshness rule', () => {
    const dataRules = descriptor.quality.rules.filter((rule) => rule.type !== 'model');
    expect(dataRules.length).toBeGreaterThanOrEqual(3);
    // The fraud model's labels rule checks the data the model is measured on: one more than a product without a model.
    expect(dataRules.length).toBeLessThanOrEqual(descriptor.models.length ? 7 : 6);
    expect(descriptor.quality.rules.some((rule) => rule.type === 'freshness')).toBe(true);
  });

  test('every error-severity rule passes on the seed data, and every rule measured something', async () => {
    // With the domain's model evaluators, as its subgraph runs them.
    const report = await runQualityRules(domain.db, descriptor, { models: definition.models });
    const failedErrors = report.results.filter((result) => result.severity === 'error' && !result.passed);
    expect(failedErrors).toEqual([]);
    expect(report.passed).toBe(true);
    for (const result of report.results) {
      expect(result.error).toBeUndefined();
      // A model rule on a seed too small to measure the model says so (docs/fraud-model.md) instead of a figure.
      if (result.type === 'model' && result.observed === null) expect(result.message).toMatch(/not measured/);
      else expect(['number', 'boolean']).toContain(typeof result.observed);
    }
    expect(report.product).toBe(name);
  });

  test('freshness is the age of the newest row, measured against the clock', async () => {
    const now = new Date();
    const report = await runQualityRules(domain.db, descriptor, { now });
    const rule = descriptor.quality.rules.find((r): r is Extract<QualityRule, { type: 'freshness' }> => r.type === 'freshness')!;
    const [{ latest }] = await domain.db.query<{ latest: Date }>(`SELECT max(${rule.column}) AS latest FROM ${name}.${rule.table}`);
    const expected = Math.round((now.getTime() - new Date(latest).getTime()) / 1000);
    expect(report.results.find((r) => r.rule === rule.name)!.observed).toBe(expected);
    expect(report.freshnessLagSeconds).toBe(expected);
  });

  test('a rule made to fail does fail, with the number of offending rows as its observed value', async () => {
    const rule = descriptor.quality.rules.find((r): r is Extract<QualityRule, { type: 'acceptedValues' }> => r.type === 'acceptedValues')!;
    // Drop the value the seed uses most from the accepted ones.
    const [{ value: dropped, count }] = await domain.db.query<{ value: string; count: number }>(
      `SELECT ${rule.column}::text AS value, count(*)::int AS count FROM ${name}.${rule.table} GROUP BY 1 ORDER BY 2 DESC LIMIT 1`,
    );
    const kept = rule.values.filter((value) => String(value) !== dropped);
    expect(kept.length).toBe(rule.values.length - 1);
    expect(count).toBeGreaterThan(0);
    const stricter = { ...descriptor, quality: { ...descriptor.quality, rules: [{ ...rule, values: kept }] } };
    const [result] = (await runQualityRules(domain.db, stricter)).results;
    expect(result).toMatchObject({ rule: rule.name, passed: false, observed: count });
    expect(result.message).toContain(JSON.stringify(String(dropped)));
  });
});

test('bad data in the customers product fails its rule, and the rules never write', async () => {
  const definition = domains.find((d) => d.name === 'customers')!;
  const outcome = loadDescriptor(definition.dir);
  if (!outcome.ok) throw new Error(outcome.errors.join('\n'));
  const domain = await startDomainForTest(definition);
  try {
    await domain.db.query(`UPDATE customers.customer SET segment = 'VIP' WHERE id IN (3, 5)`);
    await domain.db.query(`UPDATE customers.customer SET country = 'Germany' WHERE id = 7`);
    const report = await runQualityRules(domain.db, outcome.descriptor);
    expect(report.results.filter((r) => !r.passed && r.severity === 'error').map((r) => [r.rule, r.observed])).toEqual([
      ['customer-segment-known', 2],
      ['customer-country-iso', 1],
    ]);
    expect(report.results.find((r) => r.rule === 'customer-segment-known')!.message).toBe('2 rows with segment outside CONSUMER, SMALL_BUSINESS, ENTERPRISE: "VIP"');
    expect(report.passed).toBe(false);
    expect(report.failedRules.slice(0, 2)).toEqual(['customer-segment-known', 'customer-country-iso']);
    expect(report.score).toBeLessThan(1);
  } finally {
    await domain.stop();
  }
});
