/**
 * DatabaseHealth: answers within its timeout when the database never does,
 * keeps at most one `SELECT 1` outstanding, and reuses a result for cacheMs.
 */
import { DatabaseHealth } from './health';

const never = () => {
  const sent: string[] = [];
  return { sent, db: { query: async (sql: string) => (sent.push(sql), new Promise<never>(() => undefined)) } };
};

test('a database that never answers: unhealthy within the timeout, and probes never pile up queries', async () => {
  const { sent, db } = never();
  const health = new DatabaseHealth(db as never, { timeoutMs: 50, cacheMs: 0 });
  const started = Date.now();
  const verdicts = await Promise.all(Array.from({ length: 20 }, () => health.check()));
  expect(Date.now() - started).toBeLessThan(1000);
  expect(verdicts[0]).toEqual({ healthy: false, reason: 'the database did not answer within 50 ms' });
  // Later probes wait on the same outstanding query instead of sending another.
  await health.check();
  expect(sent).toEqual(['SELECT 1']);
});

test('a failing database: the reason carries the error code and message', async () => {
  const db = { query: async () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })) };
  expect(await new DatabaseHealth(db as never).check()).toEqual({ healthy: false, reason: 'the database is unreachable: connect ECONNREFUSED 127.0.0.1:5432' });
});

test('a result is reused for cacheMs, then checked again', async () => {
  let queries = 0;
  const health = new DatabaseHealth({ query: async () => (queries++, []) } as never, { cacheMs: 200 });
  for (let i = 0; i < 10; i++) expect(await health.check()).toEqual({ healthy: true });
  expect(queries).toBe(1);
  await new Promise((resolve) => setTimeout(resolve, 250));
  await health.check();
  expect(queries).toBe(2);
});
