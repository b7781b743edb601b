/**
 * Issue 14: `npm run check` treats the official operations (operations/) as
 * known usage. A change that breaks one is an error naming the operation and
 * its owner; removing a field no official operation uses is a warning.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOfficialOperations, OFFICIAL_OPERATIONS_DIR, type OfficialOperation } from '../gateway/src/operations/officialOperations';
import { apiSchemaOf } from './breakingChanges';
import { checkSubgraph } from './check';
import { usageOf } from './officialOperationUsage';

const ROOT = join(__dirname, '..');
let scratch: string;
let officialOperations: OfficialOperation[];
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'meshgate-usage-'));
  officialOperations = await loadOfficialOperations(OFFICIAL_OPERATIONS_DIR);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function candidate(domain: string, edit: (schema: string) => string): string {
  const dir = join(mkdtempSync(join(scratch, 'candidate-')), domain);
  cpSync(join(ROOT, 'subgraphs', domain), dir, { recursive: true });
  const file = join(dir, 'schema.graphql');
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error('the edit changed nothing');
  writeFileSync(file, after);
  return dir;
}

/** marketing's CampaignPerformance.conversionCount, which the Revenue dashboard (and CustomerRisk) select. */
const withoutConversionCount = () => candidate('marketing', (text) => text.replace(/\n\s*"Orders attributed to the campaign in the period."\n\s*conversionCount: Int!/, ''));

test('usage records fields, arguments, input fields, enum values and types of each official operation', () => {
  const usage = usageOf(officialOperations, apiSchemaOf(readFileSync(join(ROOT, 'schema', 'supergraph.graphql'), 'utf8')));
  const names = (coordinate: string) => (usage.get(coordinate) ?? []).map((operation) => operation.name).sort();
  expect(names('CampaignPerformance.conversionCount')).toEqual(['CustomerRisk', 'Revenue']);
  expect(names('Query.campaignPerformance(from:)')).toEqual(['CustomerRisk', 'Revenue']);
  expect(names('CustomerTransactionFilter.types')).toEqual(['CustomerTransactions']);
  expect(names('TransactionType.DEPOSIT')).toEqual(['CustomerTransactions']);
  expect(names('OrderStatus')).toEqual(expect.arrayContaining(['UpdateOrderStatus']));
});

test('a removed field an official operation selects is an error naming each operation and its owner', () => {
  const report = checkSubgraph(withoutConversionCount(), { officialOperations });
  expect(report.ok).toBe(false);
  const removed = report.problems.find((problem) => problem.code === 'field-removed');
  expect(removed).toMatchObject({ severity: 'error', coordinate: 'CampaignPerformance.conversionCount' });
  expect(removed?.message).toContain(
    'It breaks official operations CustomerRisk (owner finance, operations/finance/CustomerRisk.graphql), Revenue (owner marketing, operations/marketing/Revenue.graphql).',
  );
  const broken = report.problems.filter((problem) => problem.code === 'OFFICIAL_OPERATION_BROKEN').map((problem) => problem.message);
  expect(broken).toEqual([
    expect.stringMatching(/^Official operation CustomerRisk \(owner finance, operations\/finance\/CustomerRisk\.graphql\) no longer validates: Cannot query field "conversionCount"/),
    expect.stringMatching(/^Official operation Revenue \(owner marketing, operations\/marketing\/Revenue\.graphql\) no longer validates: Cannot query field "conversionCount"/),
  ]);
});

test('a removed field no official operation uses is a warning, and the subgraph may ship', () => {
  const dir = candidate('finance', (text) => text.replace(/\s*"When the amount was paid back; null unless the payment was refunded."\n\s*refundedAt: DateTime\n/, '\n'));
  const report = checkSubgraph(dir, { officialOperations });
  expect(report.problems).toEqual([expect.objectContaining({ severity: 'warning', code: 'field-removed', coordinate: 'Payment.refundedAt', message: expect.stringContaining('No official operation uses it.') })]);
  expect(report.ok).toBe(true);
  // Without official operations the check knows no usage: the same removal stays an error.
  expect(checkSubgraph(dir).problems).toEqual([expect.objectContaining({ severity: 'error', code: 'field-removed' })]);
});

test('npm run check reads operations/ and names the broken operation and its owner', () => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'schema', 'checkCli.ts'), withoutConversionCount()], { cwd: ROOT, encoding: 'utf8' });
  expect(result.status).toBe(1);
  expect(result.stdout).toContain('official ops      FAILED: 2 errors');
  expect(result.stdout).toContain('[official-operations OFFICIAL_OPERATION_BROKEN] Official operation Revenue (owner marketing, operations/marketing/Revenue.graphql) no longer validates');
}, 60_000);
