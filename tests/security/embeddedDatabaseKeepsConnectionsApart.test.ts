/**
 * Issue 17 §3, at the wire: the embedded database keeps each connection's
 * exchange apart from every other's, as PostgreSQL's one backend per connection
 * does.
 *
 * Attack class: anything that makes one connection's extended-protocol batch
 * arrive in several TCP reads (a long parameter, a busy client) while other
 * connections send theirs. On pglite-socket's server (electric-sql/pglite
 * #1046) 32 workers over 6 pools saw "bind message supplies 1 parameters, but
 * prepared statement "" requires 4" and another statement's parameters in about
 * one query in 2,400; every answer here is checked against the value it must be.
 * The other tests: an open transaction is not visible to, nor interrupted by,
 * other connections; a connection that dies inside a transaction leaves no
 * transaction behind; too many connections get PostgreSQL's FATAL 53300.
 */
import { Client, Pool } from 'pg';
import { startEmbeddedDatabaseProcess, type EmbeddedDatabaseProcess } from '../embeddedDatabaseProcess';

let embedded: EmbeddedDatabaseProcess;

beforeAll(async () => {
  embedded = await startEmbeddedDatabaseProcess();
}, 60_000);

afterAll(async () => {
  await embedded?.stop();
});

test('32 workers on 6 pools, with parameters long enough to span TCP reads, each get their own answers', async () => {
  const pools = Array.from({ length: 6 }, () => new Pool({ connectionString: embedded.url, max: 8 }));
  const failures: string[] = [];
  let queries = 0;
  try {
    await Promise.all(
      Array.from({ length: 32 }, async (_, worker) => {
        const pool = pools[worker % pools.length];
        for (let i = 0; i < 200; i++) {
          queries++;
          try {
            if (worker % 8 === 0) {
              const long = 'x'.repeat(100_000 + i);
              const { rows } = await pool.query('select length($1::text) as n', [long]);
              if (rows[0]?.n !== long.length) failures.push(`worker ${worker}: length ${rows[0]?.n}, expected ${long.length}`);
            } else if (i % 2) {
              const { rows } = await pool.query('select $1::int + 1 as n', [worker * 1000 + i]);
              if (rows[0]?.n !== worker * 1000 + i + 1) failures.push(`worker ${worker}: ${rows[0]?.n}, expected ${worker * 1000 + i + 1}`);
            } else {
              const { rows } = await pool.query('select g as n from generate_series($1::int, $2::int) g where g >= $3::int and $4::text = $4::text', [i, i + 2, i, 'a']);
              if (rows.length !== 3 || rows[0].n !== i) failures.push(`worker ${worker}: ${JSON.stringify(rows)}, expected 3 rows from ${i}`);
            }
          } catch (error) {
            failures.push(`worker ${worker}: ${(error as Error).message.slice(0, 120)}`);
          }
        }
      }),
    );
  } finally {
    await Promise.all(pools.map((pool) => pool.end()));
  }
  expect({ queries, failures: failures.slice(0, 5), failed: failures.length }).toEqual({ queries: 6400, failures: [], failed: 0 });
}, 180_000);

test("an open transaction is neither seen nor interrupted by other connections' statements", async () => {
  const writer = new Client({ connectionString: embedded.url });
  const reader = new Client({ connectionString: embedded.url });
  await writer.connect();
  await reader.connect();
  try {
    await writer.query('create table if not exists turns (n int)');
    await writer.query('begin');
    await writer.query('insert into turns values (1)');
    // The reader waits its turn: the writer holds the one session until its transaction ends.
    const read = reader.query('select count(*)::int as n from turns');
    const settledEarly = await Promise.race([read.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 300))]);
    expect(settledEarly).toBe(false);
    await writer.query('insert into turns values (2)');
    await writer.query('rollback');
    expect((await read).rows[0].n).toBe(0);
  } finally {
    await writer.end();
    await reader.end();
  }
});

test('a connection that dies inside a transaction leaves no transaction behind for the next one', async () => {
  const doomed = new Client({ connectionString: embedded.url });
  await doomed.connect();
  await doomed.query('create table if not exists orphans (n int)');
  await doomed.query('begin');
  await doomed.query('insert into orphans values (1)');
  // No COMMIT, no Terminate: the socket just goes away, as when a subgraph process is killed.
  (doomed as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
  doomed.on('error', () => undefined);

  const next = new Client({ connectionString: embedded.url });
  await next.connect();
  try {
    const { rows } = await next.query('select count(*)::int as n from orphans');
    expect(rows[0].n).toBe(0);
    // And the next connection's own transaction is its own: BEGIN works (no "already in a transaction" warning state).
    await next.query('begin');
    await next.query('insert into orphans values (2)');
    await next.query('commit');
    expect((await next.query('select count(*)::int as n from orphans')).rows[0].n).toBe(1);
  } finally {
    await next.end();
  }
});

test('more connections than the limit are refused with FATAL 53300, and the others keep working', async () => {
  // bench/embeddedDatabase.ts allows 100 connections.
  const clients = Array.from({ length: 101 }, () => new Client({ connectionString: embedded.url }));
  const results = await Promise.allSettled(clients.map((client) => client.connect()));
  try {
    const refused = results.filter((result) => result.status === 'rejected') as PromiseRejectedResult[];
    expect(refused.length).toBe(1);
    expect(String(refused[0].reason?.message)).toMatch(/accepts 100 connections/);
    const connected = clients.filter((_, i) => results[i].status === 'fulfilled');
    const answers = await Promise.all(connected.slice(0, 10).map((client, i) => client.query('select $1::int as n', [i])));
    expect(answers.map((answer) => answer.rows[0].n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  } finally {
    await Promise.all(clients.map((client, i) => (results[i].status === 'fulfilled' ? client.end() : undefined)));
  }
}, 60_000);
