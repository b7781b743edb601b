/** The `audit` config section: defaults, and errors that name the key and never echo a secret. */
import { AuditConfigSchema } from './createAuditLog';

const problems = (input: unknown) => {
  const result = AuditConfigSchema.safeParse(input);
  if (result.success) throw new Error('expected the config to be refused');
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.code === 'unrecognized_keys' ? `unknown ${issue.keys.join(', ')}` : issue.message}`);
};

test('defaults: a JSON-lines file in .data/audit, flushed every 200 ms or 500 records, up to 100,000 buffered, then 5 s of waiting for room', () => {
  expect(AuditConfigSchema.parse({})).toEqual({ sink: 'file', file: '.data/audit/audit.jsonl', flushIntervalMs: 200, maxBatch: 500, maxBuffered: 100_000, maxWaitMs: 5_000 });
});

test('the postgres sink requires postgresUrl, named by its key', () => {
  expect(problems({ sink: 'postgres' })).toEqual(['postgresUrl: required when sink is "postgres"']);
  expect(AuditConfigSchema.parse({ sink: 'postgres', postgresUrl: 'postgres://audit@db:5432/audit' }).postgresUrl).toBe('postgres://audit@db:5432/audit');
});

test('bad values are named without echoing the URL', () => {
  const [problem] = problems({ sink: 'postgres', postgresUrl: 'mysql://user:hunter2@db/audit' });
  expect(problem).toBe('postgresUrl: expected a postgres:// or postgresql:// URL');
  expect(problems({ sink: 'kafka' })[0]).toMatch(/^sink: .*"file"\|"postgres"/);
  expect(problems({ maxBatch: 0 })[0]).toMatch(/^maxBatch: /);
  expect(problems({ maxBatch: 1000, maxBuffered: 10 })).toEqual(['maxBuffered: must be at least maxBatch (1000), got 10']);
  expect(problems({ flushMs: 5 })).toEqual([': unknown flushMs']);
});
