/** `npm run check`: composition, governance lint and breaking changes for one subgraph (issue #5). */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'graphql';
import { DEFAULT_PORTS, domains } from '../subgraphs';
import { checkSubgraph, formatCheckReport } from './check';
import { composeOrThrow } from './compose';

const ROOT = join(__dirname, '..');
let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'meshgate-check-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of a domain's folder (same name, so it replaces that domain) with its files edited. */
function candidate(domain: string, edit: { schema?: (text: string) => string; descriptor?: (text: string) => string }): string {
  const dir = join(mkdtempSync(join(scratch, 'candidate-')), domain);
  cpSync(join(ROOT, 'subgraphs', domain), dir, { recursive: true });
  for (const [file, change] of [['schema.graphql', edit.schema], ['dataproduct.yaml', edit.descriptor]] as const) {
    if (change) writeFileSync(join(dir, file), change(readFileSync(join(dir, file), 'utf8')));
  }
  return dir;
}

test.each(domains.map((d) => d.name))('the %s subgraph passes its check with no errors or warnings', (name) => {
  const report = checkSubgraph(join(ROOT, 'subgraphs', name));
  expect(report.problems).toEqual([]);
  expect(report).toMatchObject({ ok: true, errors: 0, warnings: 0, composition: { ok: true }, breakingChanges: { checked: true, changes: [] } });
  expect(report.composition.with).toEqual(domains.map((d) => d.name).filter((n) => n !== name));
});

test('a candidate that breaks clients, skips a description and has a bad descriptor fails with each problem named', () => {
  const dir = candidate('finance', {
    schema: (text) =>
      text
        .replace(/\s*"When the amount was paid back; null unless the payment was refunded."\n\s*refundedAt: DateTime\n/, '\n')
        .replace('"How the customer paid."\n  method: PaymentMethod!', 'method: PaymentMethod!'),
    descriptor: (text) => text.replace('freshness: PT15M', 'freshness: 15 minutes'),
  });
  const report = checkSubgraph(dir);
  expect(report.ok).toBe(false);
  expect(report.problems.filter((p) => p.severity === 'error').map((p) => [p.source, p.code, p.coordinate ?? null])).toEqual([
    ['lint', 'DescriptorValid', null],
    ['lint', 'DescriptionsRequired', 'Payment.method'],
    ['breaking-change', 'field-removed', 'Payment.refundedAt'],
  ]);
  expect(report.problems[0].message).toBe('sla.freshness: expected an ISO-8601 duration such as PT24H, got "15 minutes"');
  expect(report.problems[0].line).toBe(readFileSync(join(dir, 'dataproduct.yaml'), 'utf8').split('\n').findIndex((l) => l.includes('15 minutes')) + 1);

  const text = formatCheckReport(report, ROOT);
  expect(text).toContain('  composition       ok: composes with customers, products, sales, marketing, logistics');
  expect(text).toContain('  governance lint   FAILED: 2 errors');
  expect(text).toContain('  breaking changes  FAILED: 1 error');
  expect(text).toMatch(/Errors \(3\)\n {2}✖ \[lint DescriptorValid\] .*dataproduct\.yaml:\d+ {2}sla\.freshness: expected an ISO-8601 duration/);
  expect(text).toContain('✖ [breaking-change field-removed] Field Payment.refundedAt was removed; operations that select it fail validation.');
  expect(text.trimEnd().split('\n').pop()).toBe('✖ finance: 3 errors, 0 warnings. Fix the errors before shipping.');
});

test('with a valid descriptor, a field marked @pii but not classified is caught', () => {
  const dir = candidate('finance', { schema: (text) => text.replace('channel: TransactionChannel', 'channel: TransactionChannel @pii(category: "location")') });
  const report = checkSubgraph(dir);
  expect(report.problems.map((p) => [p.code, p.coordinate])).toEqual([['PiiClassificationMatches', 'Transaction.channel']]);
});

test('arguments that search or filter by protected fields without @reads are caught (issue 13: the search oracle, flaggedOnly)', () => {
  const withoutReads = (text: string) => text.replace(/ @reads\(fields: \[[^\]]*\]\)/g, '');
  const lintCodes = (dir: string) => checkSubgraph(dir, { baseline: null }).problems.filter((p) => p.code === 'ArgumentsDeclareWhatTheyRead').map((p) => p.coordinate);
  expect(lintCodes(candidate('customers', { schema: withoutReads }))).toEqual(['CustomerFilter.search']);
  // AnomalyAssessment is guarded by the finance policy more strictly than its transactions are.
  // minScore reads the fraud score, guarded by risk:read where anomalousTransactions and the subscriptions are not (issue 19).
  expect(lintCodes(candidate('finance', { schema: withoutReads }))).toEqual([
    'Query.anomalousTransactions(minScore:)',
    'TransactionFilter.flaggedOnly',
    'CustomerTransactionFilter.flaggedOnly',
    'TransactionEventFilter.minScore',
  ]);
});

test('a candidate that does not compose reports the composition errors and skips breaking changes', () => {
  const dir = candidate('finance', { schema: (text) => text.replace('"The order\'s payment; null when none was attempted (some cancelled orders)."', '"Conflicts with sales."\n  currency: String\n  "The order\'s payment; null when none was attempted (some cancelled orders)."') });
  const report = checkSubgraph(dir);
  expect(report.composition.ok).toBe(false);
  expect(report.problems.filter((p) => p.source === 'composition').map((p) => p.code)).toContain('INVALID_FIELD_SHARING');
  expect(report.problems).toContainEqual(expect.objectContaining({ severity: 'warning', code: 'SKIPPED' }));
  expect(formatCheckReport(report, ROOT)).toContain('  composition       FAILED');
});

test("a baseline with another domain's field is a warning that the baseline is stale, not this subgraph's error", () => {
  const staleSales = parse(readFileSync(join(ROOT, 'subgraphs', 'sales', 'schema.graphql'), 'utf8').replace('  lines: [OrderLine!]!', '  lines: [OrderLine!]!\n  "Legacy code."\n  legacyCode: String'));
  const baseline = join(scratch, 'stale-supergraph.graphql');
  writeFileSync(
    baseline,
    composeOrThrow(domains.map((d) => ({ name: d.name, url: `http://127.0.0.1:${DEFAULT_PORTS[d.name]}/graphql`, typeDefs: d.name === 'sales' ? staleSales : d.typeDefs }))),
  );
  const report = checkSubgraph(join(ROOT, 'subgraphs', 'finance'), { baseline });
  expect(report.ok).toBe(true);
  expect(report.problems).toEqual([
    expect.objectContaining({ severity: 'warning', source: 'breaking-change', code: 'field-removed', coordinate: 'Order.legacyCode' }),
  ]);
  expect(report.problems[0].message).toMatch(/\(from sales, not finance: .* is out of date; run npm run compose\)$/);
});

test('a folder that is not a subgraph is an error, not an exception', () => {
  const report = checkSubgraph(join(scratch, 'nothing-here'));
  expect(report).toMatchObject({ ok: false, errors: 1 });
  expect(report.problems[0]).toMatchObject({ source: 'setup', code: 'NO_SCHEMA' });
});

describe('the command line', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'schema', 'checkCli.ts'), ...args], { cwd: ROOT, encoding: 'utf8' });

  test('exits 0 with readable output, or JSON with --json', () => {
    const text = cli('subgraphs/finance');
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('meshgate check: finance (subgraphs/finance)');
    expect(text.stdout).toContain('✔ finance: 0 errors, 0 warnings. Ready to ship.');
    const json = cli('subgraphs/finance', '--json');
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ subgraph: 'finance', ok: true, errors: 0, problems: [] });
  });

  test('exits 1 on errors and 2 on bad usage', () => {
    const broken = candidate('products', { schema: (text) => text.replace('"Display name of the product."\n  name: String!', 'name: String!') });
    const failed = cli(broken);
    expect(failed.status).toBe(1);
    expect(failed.stdout).toContain('Errors (1)');
    const noArguments = cli();
    expect(noArguments.status).toBe(2);
    expect(noArguments.stderr).toContain('usage: npm run check -- subgraphs/<domain>');
    expect(cli('subgraphs/a', 'subgraphs/b').status).toBe(2);
  });
});
