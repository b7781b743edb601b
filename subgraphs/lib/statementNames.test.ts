/**
 * Named statements (statementNames.ts): on a real PostgreSQL server a
 * parameterized statement is prepared once per connection and answers as it
 * did unnamed, also after its table changes shape; on the embedded PGlite
 * session server nothing is named, so its connections never collide.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { PgDb } from './db';
import { startEmbeddedPostgres } from './embeddedPostgres';
import { isPgliteVersion, StatementNames } from './statementNames';

jest.setTimeout(60_000);

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('StatementNames', () => {
  test('one name per text, the same every time, and never more than `max` texts named', () => {
    const names = new StatementNames(2);
    const a = names.nameFor('SELECT $1::int');
    expect(a).toMatch(/^mg_[\w-]{24}$/);
    expect(names.nameFor('SELECT $1::int')).toBe(a);
    expect(names.nameFor('SELECT $1::text')).not.toBe(a);
    expect(names.nameFor('SELECT $1::bool')).toBeUndefined();
  });

  test('a text whose result type changed runs unnamed from then on; other errors change nothing', () => {
    const names = new StatementNames();
    names.nameFor('SELECT * FROM t WHERE id = $1');
    expect(names.mustRunUnnamed('SELECT * FROM t WHERE id = $1', { code: '42P01' })).toBe(false);
    expect(names.nameFor('SELECT * FROM t WHERE id = $1')).toBeDefined();
    expect(names.mustRunUnnamed('SELECT * FROM t WHERE id = $1', { code: '0A000' })).toBe(true);
    expect(names.nameFor('SELECT * FROM t WHERE id = $1')).toBeUndefined();
  });

  test("PGlite's version() is recognised, PostgreSQL's is not", () => {
    expect(isPgliteVersion('PostgreSQL 18.6 (PGlite 0.5.14) on wasm32-unknown-emscripten, compiled by emcc')).toBe(true);
    expect(isPgliteVersion('PostgreSQL 15.20 (Debian 15.20-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc')).toBe(false);
  });
});

describe('PgDb on a real PostgreSQL server', () => {
  const schema = `named_statements_${randomBytes(4).toString('hex')}`;
  let admin: Client;
  let db: PgDb;

  beforeAll(async () => {
    admin = new Client({ connectionString: SERVER_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}; CREATE TABLE ${schema}.item (id int PRIMARY KEY, name text); INSERT INTO ${schema}.item VALUES (1, 'one'), (2, 'two')`);
    db = new PgDb(SERVER_URL, 2);
  });

  afterAll(async () => {
    await db?.close();
    await admin?.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin?.end();
  });

  // pg-pool hands out the connection released last, so sequential queries share one session and its prepared statements.
  const prepared = async (text: string) => (await db.query<{ name: string }>(`SELECT name FROM pg_prepared_statements WHERE statement = $1`, [text])).map(({ name }) => name);

  test('prepares a parameterized statement once per connection and answers as unnamed', async () => {
    const text = `SELECT * FROM ${schema}.item WHERE id = ANY($1::int[]) ORDER BY id`;
    for (let i = 0; i < 5; i++) expect(await db.query(text, [[1, 2]])).toEqual([{ id: 1, name: 'one' }, { id: 2, name: 'two' }]);
    expect(await prepared(text)).toEqual([expect.stringMatching(/^mg_/)]);
  });

  test('a table that changes shape under SELECT * is answered with its new shape, not an error', async () => {
    const text = `SELECT * FROM ${schema}.item WHERE id = $1`;
    expect(await db.query(text, [1])).toEqual([{ id: 1, name: 'one' }]);
    await admin.query(`ALTER TABLE ${schema}.item ADD COLUMN colour text DEFAULT 'red'`);
    expect(await db.query(text, [1])).toEqual([{ id: 1, name: 'one', colour: 'red' }]);
    expect(await db.query(text, [2])).toEqual([{ id: 2, name: 'two', colour: 'red' }]);
  });

  test('statements without parameters keep the simple protocol (several statements in one text)', async () => {
    await db.query(`UPDATE ${schema}.item SET name = 'uno' WHERE id = 1; UPDATE ${schema}.item SET name = 'one' WHERE id = 1`);
    expect(await db.query(`SELECT name FROM ${schema}.item WHERE id = $1`, [1])).toEqual([{ name: 'one' }]);
  });
});

test('on the embedded PGlite session server nothing is named: connections sharing its one session never collide', async () => {
  const embedded = await startEmbeddedPostgres({});
  const db = new PgDb(embedded.url, 4);
  try {
    const text = 'SELECT $1::int + 1 AS next';
    const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => db.query<{ next: number }>(text, [i])));
    expect(answers.map(([row]) => row.next)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(await db.query(`SELECT count(*)::int AS count FROM pg_prepared_statements WHERE $1::int = 1`, [1])).toEqual([{ count: 0 }]);
  } finally {
    await db.close();
    await embedded.stop();
  }
});
