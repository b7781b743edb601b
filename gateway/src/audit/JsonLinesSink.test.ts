/**
 * The default audit sink on a real file: one JSON object per line, append-only,
 * nothing lost under concurrency or while the file cannot be written.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../logger';
import { AuditLog, type AuditEntry } from './AuditLog';
import { AuditConfigSchema, createAuditLog } from './createAuditLog';
import { JsonLinesSink } from './JsonLinesSink';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'meshgate-audit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const entry = (n: number): AuditEntry => ({
  kind: n % 10 === 0 ? 'rejected-credentials' : 'denial',
  principal: n % 10 === 0 ? { id: 'anonymous', kind: 'anonymous' } : { id: `u-${n % 7}`, kind: 'user', email: `u${n % 7}@example.com` },
  operationName: n % 2 ? 'Revenue' : null,
  operationHash: 'f'.repeat(64),
  path: n % 10 === 0 ? null : ['orders', 'edges', n, 'node', 'customer', 'email'],
  rule: n % 10 === 0 ? null : 'piiNeedsScope',
  reason: n % 10 === 0 ? 'the token expired' : 'needs the pii:read scope',
  client: { name: 'dashboards', address: '127.0.0.1' },
  requestId: `r-${n}`,
});

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter((line) => line !== '');
const quiet = () => ({ error: jest.fn(), warn: jest.fn(), info: jest.fn() });

test('1,000 concurrent records become exactly 1,000 JSON lines with their content, in a directory it creates', async () => {
  const file = join(dir, 'nested', 'audit', 'audit.jsonl');
  const log = createAuditLog(AuditConfigSchema.parse({ file, flushIntervalMs: 5, maxBatch: 100 }), createLogger('silent'));
  await Promise.all(
    Array.from({ length: 40 }, async (_, task) => {
      for (let i = 0; i < 25; i++) {
        await new Promise((resolve) => (i % 4 ? setImmediate(resolve) : setTimeout(resolve, Math.random() * 3)));
        log.record(entry(task * 25 + i));
      }
    }),
  );
  await log.close();
  const text = readFileSync(file, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  const records = lines(file).map((line) => JSON.parse(line));
  expect(records).toHaveLength(1000);
  const byId = new Map(records.map((record) => [record.requestId, record]));
  expect(byId.size).toBe(1000);
  for (let n = 0; n < 1000; n++) {
    const { email, ...rest } = entry(n).principal;
    expect(byId.get(`r-${n}`)).toEqual({ ...entry(n), principal: email ? { ...rest, email } : rest, time: expect.any(String) });
  }
});

test('the file is append-only across two AuditLog instances', async () => {
  const file = join(dir, 'audit.jsonl');
  const first = new AuditLog(new JsonLinesSink(file), quiet(), { flushIntervalMs: 5 });
  for (let n = 0; n < 3; n++) first.record(entry(n));
  await first.close();
  const before = readFileSync(file, 'utf8');

  const second = new AuditLog(new JsonLinesSink(file), quiet(), { flushIntervalMs: 5 });
  for (let n = 3; n < 5; n++) second.record(entry(n));
  await second.close();
  const after = readFileSync(file, 'utf8');
  expect(after.startsWith(before)).toBe(true);
  expect(lines(file).map((line) => JSON.parse(line).requestId)).toEqual(['r-0', 'r-1', 'r-2', 'r-3', 'r-4']);
});

test('after a cut-off line (a crash mid-write) new records still start on their own line', async () => {
  const file = join(dir, 'audit.jsonl');
  writeFileSync(file, `${JSON.stringify({ requestId: 'old' })}\n{"requestId":"cut-o`);
  const log = new AuditLog(new JsonLinesSink(file), quiet(), { flushIntervalMs: 5 });
  log.record(entry(1));
  await log.close();
  expect(lines(file)).toEqual([JSON.stringify({ requestId: 'old' }), '{"requestId":"cut-o', expect.stringContaining('"requestId":"r-1"')]);
});

test('records wait while the file cannot be written and are written once it can', async () => {
  // A regular file where the directory should be: mkdir fails (even for root) until it is removed.
  const blocked = join(dir, 'blocked');
  writeFileSync(blocked, 'not a directory');
  const file = join(blocked, 'audit.jsonl');
  const logger = quiet();
  const log = new AuditLog(new JsonLinesSink(file), logger, { flushIntervalMs: 5, retryDelayMs: 5, retryMaxDelayMs: 20 });
  for (let n = 0; n < 10; n++) log.record(entry(n));
  await new Promise((resolve) => setTimeout(resolve, 80));
  expect(log.written).toBe(0);
  expect(log.buffered).toBe(10);
  expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ err: expect.objectContaining({ code: expect.stringMatching(/ENOTDIR|EEXIST/) }) }), expect.any(String));

  rmSync(blocked);
  for (let n = 10; n < 15; n++) log.record(entry(n));
  await log.close();
  expect(lines(file).map((line) => JSON.parse(line).requestId)).toEqual(Array.from({ length: 15 }, (_, n) => `r-${n}`));
  expect(log.dropped).toBe(0);
});

test('another writer appending to the same file does not break lines', async () => {
  const file = join(dir, 'audit.jsonl');
  const log = new AuditLog(new JsonLinesSink(file), quiet(), { flushIntervalMs: 5 });
  log.record(entry(1));
  await log.flush();
  appendFileSync(file, '{"requestId":"other"}\n');
  log.record(entry(2));
  await log.close();
  expect(lines(file).map((line) => JSON.parse(line).requestId)).toEqual(['r-1', 'other', 'r-2']);
});
