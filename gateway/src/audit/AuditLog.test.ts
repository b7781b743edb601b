/**
 * The audit log's contract with an in-memory sink that can be made to fail:
 * batching, ordering, nothing lost under concurrency or while the sink is
 * down, a bounded buffer that makes callers wait (and refuses after
 * maxWaitMs) instead of dropping, lossless close.
 */
import { AuditLog, type AuditEntry, type AuditRecord, type AuditSink } from './AuditLog';

class MemorySink implements AuditSink {
  readonly description = 'memory';
  batches: AuditRecord[][] = [];
  /** Writes fail while this is true. */
  down = false;
  attempts = 0;
  closed = false;
  get records() {
    return this.batches.flat();
  }
  async write(records: AuditRecord[]) {
    this.attempts++;
    await new Promise((resolve) => setImmediate(resolve));
    if (this.down) throw new Error('sink is down');
    this.batches.push(structuredClone(records));
  }
  async close() {
    this.closed = true;
  }
}

const fakeLogger = () => ({ error: jest.fn(), warn: jest.fn(), info: jest.fn() });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const entry = (n: number, overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  kind: 'denial',
  principal: { id: `u-${n % 7}`, kind: 'user', email: `u${n % 7}@example.com` },
  operationName: 'Revenue',
  operationHash: 'abc123',
  path: ['orders', n, 'customer', 'email'],
  rule: 'piiNeedsScope',
  reason: 'needs the pii:read scope',
  client: { name: 'dashboards', address: '10.0.0.1' },
  requestId: `r-${n}`,
  ...overrides,
});

test('1,000 concurrent records from many async tasks are all written once, in each task’s order', async () => {
  const sink = new MemorySink();
  const log = new AuditLog(sink, fakeLogger(), { flushIntervalMs: 5, maxBatch: 64 });
  await Promise.all(
    Array.from({ length: 50 }, async (_, task) => {
      for (let i = 0; i < 20; i++) {
        if (i % 3 === 0) await sleep(Math.random() * 5);
        else await Promise.resolve();
        log.record(entry(task * 20 + i));
      }
    }),
  );
  await log.close();
  const records = sink.records;
  expect(records).toHaveLength(1000);
  expect(new Set(records.map((record) => record.requestId)).size).toBe(1000);
  expect(sink.batches.every((batch) => batch.length <= 64)).toBe(true);
  for (let task = 0; task < 50; task++) {
    const ids = records.filter((record) => Math.floor(Number(record.requestId.slice(2)) / 20) === task).map((record) => record.requestId);
    expect(ids).toEqual(Array.from({ length: 20 }, (_, i) => `r-${task * 20 + i}`));
  }
  expect(records[0]).toEqual({ ...entry(Number(records[0].requestId.slice(2))), time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) });
  expect(log.written).toBe(1000);
  expect(log.dropped).toBe(0);
  expect(sink.closed).toBe(true);
});

test('a full batch is written at once; a partial one after flushIntervalMs', async () => {
  const sink = new MemorySink();
  const log = new AuditLog(sink, fakeLogger(), { flushIntervalMs: 60_000, maxBatch: 10 });
  for (let i = 0; i < 25; i++) log.record(entry(i));
  await sleep(20);
  expect(sink.batches.map((batch) => batch.length)).toEqual([10, 10]);
  expect(log.buffered).toBe(5);
  await log.close();
  expect(sink.batches.map((batch) => batch.length)).toEqual([10, 10, 5]);

  const timed = new MemorySink();
  const soon = new AuditLog(timed, fakeLogger(), { flushIntervalMs: 30, maxBatch: 10 });
  soon.record(entry(1));
  soon.record(entry(2));
  expect(timed.batches).toEqual([]);
  await sleep(100);
  expect(timed.batches.map((batch) => batch.length)).toEqual([2]);
  await soon.close();
});

test('record() never throws and keeps what it is given as plain data', async () => {
  const sink = new MemorySink();
  const logger = fakeLogger();
  const log = new AuditLog(sink, logger, { flushIntervalMs: 5 });
  const hostile = { toString: () => { throw new Error('no'); } };
  expect(() => log.record(entry(1, { reason: hostile as never }))).not.toThrow();
  expect(() => log.record(undefined as never)).not.toThrow();
  expect(log.dropped).toBe(2);
  log.record(entry(2, { reason: 'nul\u0000byte', path: null, operationName: null, client: {}, time: '2026-01-01T00:00:00.000Z' }));
  await log.close();
  expect(sink.records).toEqual([
    { ...entry(2), reason: 'nul\uFFFDbyte', path: null, operationName: null, client: {}, time: '2026-01-01T00:00:00.000Z' },
  ]);
  expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ dropped: 1 }), expect.stringMatching(/could not be recorded/));
});

test('records survive a failing sink and are written, in order, after it recovers', async () => {
  const sink = new MemorySink();
  const logger = fakeLogger();
  const log = new AuditLog(sink, logger, { flushIntervalMs: 5, maxBatch: 50, retryDelayMs: 5, retryMaxDelayMs: 20 });
  sink.down = true;
  for (let i = 0; i < 120; i++) log.record(entry(i));
  await sleep(100);
  expect(sink.attempts).toBeGreaterThan(3);
  expect(sink.records).toEqual([]);
  expect(log.buffered).toBe(120);
  // The first failure is logged at once; the retries after it are not, so a long outage does not flood the log.
  expect(logger.error).toHaveBeenCalledTimes(1);
  expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ sink: 'memory', buffered: 120 }), expect.stringMatching(/retried/));

  const flushed = log.flush();
  sink.down = false;
  await flushed;
  expect(sink.records.map((record) => record.requestId)).toEqual(Array.from({ length: 120 }, (_, i) => `r-${i}`));
  expect(logger.warn).toHaveBeenCalledWith(expect.objectContaining({ failedAttempts: expect.any(Number) }), expect.stringMatching(/recovered/));
  await log.close();
  expect(log.dropped).toBe(0);
});

test('beyond maxBuffered a record waits for room instead of being dropped, and is written in order once the sink catches up', async () => {
  const sink = new MemorySink();
  const outcomes: string[] = [];
  const log = new AuditLog(sink, fakeLogger(), { flushIntervalMs: 5, maxBatch: 10, maxBuffered: 100, retryDelayMs: 5, retryMaxDelayMs: 10, onBackpressure: (outcome) => outcomes.push(outcome) });
  sink.down = true;
  const admissions = Array.from({ length: 150 }, (_, i) => log.record(entry(i)));
  expect(admissions.slice(0, 100).every((admission) => admission === undefined)).toBe(true);
  expect(admissions.slice(100).every((admission) => admission instanceof Promise)).toBe(true);
  expect(log.buffered).toBe(100);
  expect([log.waited, log.dropped, log.refused]).toEqual([50, 0, 0]);
  expect(outcomes).toEqual(Array(50).fill('waited'));

  sink.down = false;
  expect(await Promise.all(admissions.slice(100))).toEqual(Array(50).fill('recorded'));
  await log.close();
  expect(sink.records.map((record) => record.requestId)).toEqual(Array.from({ length: 150 }, (_, i) => `r-${i}`));
  expect(log.dropped).toBe(0);
});

test('a record that finds no room within maxWaitMs is refused, counted, and logged whole', async () => {
  const sink = new MemorySink();
  const logger = fakeLogger();
  const log = new AuditLog(sink, logger, { flushIntervalMs: 5, maxBatch: 1, maxBuffered: 1, retryDelayMs: 5, retryMaxDelayMs: 10, maxWaitMs: 30 });
  sink.down = true;
  expect(log.record(entry(0))).toBeUndefined();
  const started = Date.now();
  expect(await log.record(entry(1))).toBe('refused');
  expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  expect([log.waited, log.refused]).toEqual([1, 1]);
  expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ auditRecord: expect.objectContaining({ requestId: 'r-1' }) }), expect.stringMatching(/audit record refused/));
  sink.down = false;
  await log.close();
  expect(sink.records.map((record) => record.requestId)).toEqual(['r-0']);
});

test('an aggregated denial keeps its count, pattern and sample paths', async () => {
  const sink = new MemorySink();
  const log = new AuditLog(sink, fakeLogger(), { flushIntervalMs: 1 });
  log.record(entry(0, { path: ['orders', 0, 'customer', 'email'], count: 250, pathPattern: ['orders', '*', 'customer', 'email'], paths: [['orders', 0, 'customer', 'email']] }));
  await log.close();
  expect(sink.records[0]).toMatchObject({ count: 250, pathPattern: ['orders', '*', 'customer', 'email'], paths: [['orders', 0, 'customer', 'email']] });
});

test('records that arrive while close() is writing are written too; after close they are dropped and logged', async () => {
  const sink = new MemorySink();
  const logger = fakeLogger();
  const log = new AuditLog(sink, logger, { flushIntervalMs: 1000, maxBatch: 5 });
  for (let i = 0; i < 12; i++) log.record(entry(i));
  const closing = log.close();
  log.record(entry(12));
  await closing;
  expect(sink.records).toHaveLength(13);
  log.record(entry(13));
  expect(log.dropped).toBe(1);
  expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ dropped: 1 }), 'audit records dropped: the audit log is closed');
  await expect(log.flush()).resolves.toBeUndefined();
  await expect(log.close()).resolves.toBeUndefined();
});

test('close() on a sink that stays down gives up after closeTimeoutMs and puts the records in the process log', async () => {
  const sink = new MemorySink();
  const logger = fakeLogger();
  const log = new AuditLog(sink, logger, { flushIntervalMs: 5, retryDelayMs: 5, retryMaxDelayMs: 10, closeTimeoutMs: 80 });
  sink.down = true;
  for (let i = 0; i < 3; i++) log.record(entry(i));
  const started = Date.now();
  await log.close();
  expect(Date.now() - started).toBeLessThan(1000);
  expect(log.dropped).toBe(3);
  expect(logger.error).toHaveBeenCalledWith(expect.objectContaining({ lost: 3 }), expect.stringMatching(/did not accept/));
  expect(logger.error).toHaveBeenCalledWith({ auditRecords: [expect.objectContaining({ requestId: 'r-0' }), expect.anything(), expect.anything()] }, expect.any(String));
  expect(sink.closed).toBe(true);
});
