/**
 * The one storage interface every subgraph uses. The embedded default (PGlite)
 * and a real PostgreSQL server both speak the same SQL through it, so a data
 * product's queries are written once and tested on both.
 *
 * Contract: each domain only touches tables in its own schema (`customers.*`,
 * `sales.*`, ...); the schema name is part of every statement so that pointing
 * several domains at one database never mixes their tables.
 *
 * With tracing on, every statement is a `meshgate.sql` span (telemetry/sqlSpans.ts). On a real PostgreSQL
 * server, parameterized statements are prepared once per connection (statementNames.ts).
 */
import { Client, Pool, types } from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import { isPgliteVersion, StatementNames } from './statementNames';
import { tracedSql } from './telemetry/sqlSpans';
import { timestampParser } from './timestampParser';

// numeric and bigint come back as strings by default; our amounts and counts fit a double.
types.setTypeParser(types.builtins.NUMERIC, (v) => Number(v));
types.setTypeParser(types.builtins.INT8, (v) => Number(v));
// Every timestamp of every row is parsed: the UTC form our servers send is read without pg's regular expressions.
types.setTypeParser(types.builtins.TIMESTAMPTZ, timestampParser(types.getTypeParser(types.builtins.TIMESTAMPTZ, 'text')));
const PGLITE_PARSERS = { [types.builtins.NUMERIC]: Number, [types.builtins.INT8]: Number };

export type Row = Record<string, unknown>;

export type QueryFn = <T = Row>(sql: string, params?: unknown[]) => Promise<T[]>;

export interface Db {
  query<T = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs `work` on one connection inside a READ ONLY, REPEATABLE READ transaction
   * (one consistent snapshot) that is always rolled back: nothing `work` runs can
   * write. Used for data-quality rules, including domain teams' custom SQL.
   */
  readOnly<T>(work: (query: QueryFn) => Promise<T>): Promise<T>;
  /** Called once per statement, for the query counters that prove batching. */
  onQuery(listener: (sql: string) => void): () => void;
  /**
   * LISTENs on `channel` (PostgreSQL LISTEN/NOTIFY): `onNotification` gets the payload of every NOTIFY
   * committed on it from now on. One database connection per Db serves every channel and listener.
   * Resolves once listening; the function it gives stops this listener. `onLost` is told when the
   * connection that LISTENs fails (notifications committed until it is back are never seen), so the
   * listener can end rather than leave a gap nobody sees; it is then removed.
   */
  listen(channel: string, onNotification: (payload: string) => void, onLost?: (error: Error) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

/** Channel names we LISTEN on are plain identifiers (LISTEN takes no parameters, so the name is checked, never quoted from input). */
function checkedChannel(channel: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`Not a channel name: ${JSON.stringify(channel)} (lower-case letters, digits, _)`);
  return channel;
}

/** Listeners by channel, shared by both implementations. */
class Listeners {
  private readonly byChannel = new Map<string, Set<(payload: string) => void>>();
  add(channel: string, listener: (payload: string) => void): boolean {
    const set = this.byChannel.get(channel) ?? this.byChannel.set(channel, new Set()).get(channel)!;
    set.add(listener);
    return set.size === 1;
  }
  remove(channel: string, listener: (payload: string) => void): boolean {
    const set = this.byChannel.get(channel);
    if (!set?.delete(listener) || set.size) return false;
    this.byChannel.delete(channel);
    return true;
  }
  channels() {
    return [...this.byChannel.keys()];
  }
  deliver(channel: string, payload: string) {
    for (const listener of this.byChannel.get(channel) ?? []) listener(payload);
  }
}

abstract class ObservedDb implements Db {
  private listeners = new Set<(sql: string) => void>();
  protected notify(sql: string) {
    for (const listener of this.listeners) listener(sql);
  }
  onQuery(listener: (sql: string) => void) {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
  abstract query<T = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  abstract readOnly<T>(work: (query: QueryFn) => Promise<T>): Promise<T>;
  abstract listen(channel: string, onNotification: (payload: string) => void, onLost?: (error: Error) => void): Promise<() => Promise<void>>;
  abstract close(): Promise<void>;
}

const BEGIN_READ_ONLY = 'BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY';

/** PostgreSQL over the wire: a real server, or the embedded one served on a local socket. */
export class PgDb extends ObservedDb {
  private pool: Pool;
  /** Names for parameterized statements (statementNames.ts) once the server is known to be a real PostgreSQL; none on PGlite. */
  private statementNames?: Promise<StatementNames | undefined>;
  constructor(private readonly url: string, poolSize = 8) {
    super();
    this.pool = new Pool({ connectionString: url, max: poolSize });
    // An idle client that loses its server must not crash the subgraph process.
    this.pool.on('error', () => undefined);
  }
  async query<T = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    this.notify(sql);
    // Statements without parameters keep the simple protocol (DDL and seed scripts send several statements in one text).
    const names = params.length ? await this.namesForServer() : undefined;
    const name = names?.nameFor(sql);
    return tracedSql(sql, async () => {
      if (!name) return (await this.pool.query(sql, params)).rows as T[];
      try {
        return (await this.pool.query({ name, text: sql, values: params })).rows as T[];
      } catch (error) {
        if (!names!.mustRunUnnamed(sql, error)) throw error;
        return (await this.pool.query(sql, params)).rows as T[];
      }
    });
  }
  /** Asked once (again after a failure): the embedded PGlite session server shares one session, where named statements collide. */
  private namesForServer(): Promise<StatementNames | undefined> {
    this.statementNames ??= this.pool.query<{ version: string }>('SELECT version() AS version').then(
      ({ rows }) => (isPgliteVersion(rows[0]?.version ?? '') ? undefined : new StatementNames()),
      () => {
        this.statementNames = undefined;
        return undefined;
      },
    );
    return this.statementNames;
  }
  async readOnly<T>(work: (query: QueryFn) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query(BEGIN_READ_ONLY);
      return await work(async <R>(sql: string, params: unknown[] = []) => {
        this.notify(sql);
        return tracedSql(sql, async () => (await client.query(sql, params)).rows as R[]);
      });
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }
  private readonly notificationListeners = new Listeners();
  private readonly lostHandlers = new Map<(payload: string) => void, { channel: string; onLost: (error: Error) => void }>();
  private listener?: Promise<Client>;
  private closing = false;

  /**
   * One client outside the pool holds the LISTENs. When it fails it is replaced (after 1 s) and LISTENs
   * again on every channel; notifications committed in between are not seen (NOTIFY keeps no history).
   */
  private listenerClient(): Promise<Client> {
    this.listener ??= (async () => {
      const client = new Client({ connectionString: this.url });
      client.on('notification', ({ channel, payload }) => this.notificationListeners.deliver(channel, payload ?? ''));
      let failed = false;
      const fail = (error: Error) => {
        if (failed || this.closing) return;
        failed = true;
        this.listener = undefined;
        void client.end().catch(() => undefined);
        // Listeners that asked to know end now; the others are LISTENed for again when the connection is back.
        for (const [listener, { channel, onLost }] of [...this.lostHandlers]) {
          this.lostHandlers.delete(listener);
          this.notificationListeners.remove(channel, listener);
          onLost(error);
        }
        if (this.notificationListeners.channels().length) setTimeout(() => void this.relisten(), 1000).unref();
      };
      client.on('error', fail);
      client.on('end', () => fail(new Error('the connection that LISTENs ended')));
      await client.connect();
      return client;
    })();
    this.listener.catch(() => (this.listener = undefined));
    return this.listener;
  }
  private async relisten() {
    try {
      const client = await this.listenerClient();
      for (const channel of this.notificationListeners.channels()) await client.query(`LISTEN ${channel}`);
    } catch {
      if (!this.closing) setTimeout(() => void this.relisten(), 1000).unref();
    }
  }
  async listen(channel: string, onNotification: (payload: string) => void, onLost?: (error: Error) => void) {
    checkedChannel(channel);
    if (this.notificationListeners.add(channel, onNotification)) await (await this.listenerClient()).query(`LISTEN ${channel}`);
    if (onLost) this.lostHandlers.set(onNotification, { channel, onLost });
    return async () => {
      this.lostHandlers.delete(onNotification);
      if (this.notificationListeners.remove(channel, onNotification)) await (await this.listener)?.query(`UNLISTEN ${channel}`).catch(() => undefined);
    };
  }
  async close() {
    this.closing = true;
    const listener = this.listener;
    this.listener = undefined;
    await (await listener?.catch(() => undefined))?.end().catch(() => undefined);
    await this.pool.end();
  }
}

/** PGlite in this process: used by tests and tools that do not need a server. */
export class PgliteDb extends ObservedDb {
  constructor(private readonly pglite: PGlite, private readonly owned = false) {
    super();
  }
  async query<T = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    this.notify(sql);
    return tracedSql(sql, async () => (await this.pglite.query<T>(sql, params, { parsers: PGLITE_PARSERS })).rows);
  }
  async readOnly<T>(work: (query: QueryFn) => Promise<T>): Promise<T> {
    // PGlite serializes transactions, so this one holds the only connection until it ends.
    return this.pglite.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      try {
        return await work(async <R>(sql: string, params: unknown[] = []) => {
          this.notify(sql);
          return tracedSql(sql, async () => (await tx.query<R>(sql, params, { parsers: PGLITE_PARSERS })).rows);
        });
      } finally {
        await tx.rollback();
      }
    });
  }
  /** PGlite's own LISTEN: notifications committed by any statement on this PGlite instance. */
  async listen(channel: string, onNotification: (payload: string) => void) {
    return this.pglite.listen(checkedChannel(channel), onNotification);
  }
  async close() {
    if (this.owned) await this.pglite.close();
  }
}
