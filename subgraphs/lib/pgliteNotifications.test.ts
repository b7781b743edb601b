/**
 * LISTEN/NOTIFY on the embedded database (issue 15): through the session server, a notification
 * committed by one connection reaches the connections that LISTEN on its channel and no other,
 * and the writer's own answers are unchanged; in process, PgliteDb.listen sees the same.
 */
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { PgDb, PgliteDb } from './db';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embeddedPostgres';

let embedded: EmbeddedPostgres;
beforeAll(async () => {
  embedded = await startEmbeddedPostgres({});
});
afterAll(() => embedded?.stop());

const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

test('a notification reaches the listening connections only, and the writer still gets its rows', async () => {
  const listening = new PgDb(embedded.url);
  const other = new Client({ connectionString: embedded.url });
  const writer = new Client({ connectionString: embedded.url });
  await other.connect();
  await writer.connect();
  const got: string[] = [];
  const strays: unknown[] = [];
  other.on('notification', (message) => strays.push(message));
  writer.on('notification', (message) => strays.push(message));
  await other.query('LISTEN another_channel');
  const stop = await listening.listen('test_events', (payload) => got.push(payload));
  try {
    await writer.query('BEGIN');
    await writer.query(`SELECT pg_notify('test_events', 'one')`);
    expect(got).toEqual([]); // not before the commit
    await writer.query('COMMIT');
    const { rows } = await writer.query(`SELECT pg_notify('test_events', 'two') AS x, 42 AS answer`);
    expect(rows).toEqual([{ x: '', answer: 42 }]);
    await until(() => got.length === 2);
    expect(got).toEqual(['one', 'two']);
    await stop();
    await writer.query(`SELECT pg_notify('test_events', 'three')`);
    await writer.query(`SELECT pg_notify('another_channel', 'four')`);
    await until(() => strays.length === 1);
    expect(strays).toEqual([expect.objectContaining({ channel: 'another_channel', payload: 'four' })]);
    expect(got).toEqual(['one', 'two']);
  } finally {
    await listening.close();
    await other.end();
    await writer.end();
  }
});

test('PgliteDb.listen sees notifications committed in process', async () => {
  const db = new PgliteDb(await PGlite.create(), true);
  const got: string[] = [];
  await db.listen('test_events', (payload) => got.push(payload));
  await db.query(`SELECT pg_notify('test_events', 'hello')`);
  await until(() => got.length === 1);
  expect(got).toEqual(['hello']);
  await db.close();
});

test('a channel name that is not a plain identifier is refused', async () => {
  const db = new PgliteDb(await PGlite.create(), true);
  await expect(db.listen('x; DROP TABLE y', () => undefined)).rejects.toThrow('Not a channel name: "x; DROP TABLE y"');
  await db.close();
});
