/**
 * The audit log: every authorization denial, every rejected credential,
 * every refused operator route (403) and every operation over a limit, written append-only to a sink (a JSON-lines file by default, PostgreSQL when
 * configured).
 *
 * Contract:
 * - `record()` never throws. While the buffer has room it takes the entry at
 *   once and returns nothing to wait for: the request path only pays for
 *   copying the entry into an in-memory buffer.
 * - Backpressure, never a drop: when the buffer is full (`maxBuffered`), the
 *   entry waits for room (first come, first admitted) and `record()` returns a
 *   promise that resolves 'recorded' once it is in the buffer. The caller (the
 *   authorization stage) awaits it before answering, so a client is slowed to
 *   the sink's pace instead of being answered without its record. If no room
 *   is made within `maxWaitMs` the promise resolves 'refused': the caller must
 *   refuse its request, and the record goes to the process log at error level
 *   so that it still exists somewhere. Waits and refusals are counted
 *   (`waited`, `refused`, and `onBackpressure` for metrics). The promise never
 *   rejects, so a caller that does not await it (rejected credentials) is safe.
 * - Records are written in the order they were recorded, in batches: when
 *   `maxBatch` records are waiting, or `flushIntervalMs` after the first one.
 * - A failing sink loses nothing: records stay buffered and the write is retried
 *   with exponential backoff until it succeeds. Failures are logged (the first
 *   one, then at most every 10 s) and recovery is logged.
 * - Oldest first: records are written in the order they entered the buffer.
 * - Only a record given after close() is dropped (counted in `dropped`, logged).
 * - `close()` writes everything buffered before it resolves (that is what makes
 *   shutdown lossless); if the sink stays down past `closeTimeoutMs`, the
 *   records it could not write go to the process log at error level, counted
 *   as dropped, rather than vanishing.
 */
import type { Logger } from '../logger';

export type AuditRecord = {
  /** ISO 8601, when the gateway recorded it. */
  time: string;
  /**
   * denial: a field the policy denied; rejected-credentials: a bad token or API key; route-refused: an operator
   * route (cache invalidation, quality run, subgraph registration) refused its principal (403);
   * limit-exceeded: an operation over one of its principal's limits (`rule` names the limit, e.g. maxDepth);
   * tool-call: one call of an assistant's tool at /mcp (`tool` names it; `reason` says how it ended; `rule` is set when it was refused);
   * operation-not-official: an ad-hoc query from a principal that may run official operations only (operations/config.ts);
   * subscription-start, subscription-end: a subscription began or ended (`reason` says why it ended; subscriptions/).
   */
  kind: 'denial' | 'rejected-credentials' | 'route-refused' | 'limit-exceeded' | 'tool-call' | 'operation-not-official' | 'subscription-start' | 'subscription-end';
  principal: { id: string; kind: string; email?: string };
  operationName: string | null;
  /** SHA-256 of the operation document as received. */
  operationHash: string | null;
  /** The denied field's response path (the first one, for an aggregated pattern). */
  path: (string | number)[] | null;
  /** Only for a denial reported for a whole path pattern (many objects): how many concrete paths were denied. */
  count?: number;
  /** With `count`: the path with list indexes as "*". */
  pathPattern?: (string | number)[];
  /** With `count`: the first concrete paths. */
  paths?: (string | number)[][];
  /** The rule that denied (its name in policies/), the limit exceeded (maxDepth ...), the route's rule, or null for rejected credentials. */
  rule: string | null;
  reason: string;
  /** The HTTP route refused ("POST /cache/invalidate"), when the refusal is of a route rather than a GraphQL operation. */
  route?: string;
  /** The MCP tool (or resource read) the record is about, on every record a call at /mcp causes: its tool-call record and its denials and limits. */
  tool?: string;
  client: { name?: string; address?: string };
  requestId: string;
};

/** What a stage records; `time` defaults to now. */
export type AuditEntry = Omit<AuditRecord, 'time'> & { time?: string };

/** What record() gave: nothing to wait for (taken), or a promise of whether the record got into the buffer in time. */
export type AuditAdmission = void | Promise<'recorded' | 'refused'>;

/** Where batches go. `write` either stores every record of the batch or throws (it is retried whole). */
export interface AuditSink {
  readonly description: string;
  write(records: AuditRecord[]): Promise<void>;
  close(): Promise<void>;
}

export type AuditLogOptions = {
  flushIntervalMs?: number;
  maxBatch?: number;
  maxBuffered?: number;
  /** First retry delay after a sink error; doubles up to retryMaxDelayMs. */
  retryDelayMs?: number;
  retryMaxDelayMs?: number;
  /** How long close() keeps retrying a failing sink before logging what it could not write. */
  closeTimeoutMs?: number;
  /** How long a record waits for room in a full buffer before it is refused. */
  maxWaitMs?: number;
  /** Told of every wait for room and every refusal (metrics). */
  onBackpressure?: (outcome: 'waited' | 'refused') => void;
};

type WaitingRecord = { record: AuditRecord; resolve: (outcome: 'recorded' | 'refused') => void; timer: NodeJS.Timeout };

type AuditLogger = Pick<Logger, 'error' | 'warn' | 'info'>;

const FAILURE_LOG_INTERVAL_MS = 10_000;
const DROP_LOG_INTERVAL_MS = 10_000;

const text = (value: unknown): string => String(value).replace(/\u0000/g, '\uFFFD');
const optionalText = (value: unknown): string | undefined => (value === undefined || value === null ? undefined : text(value));
const nullableText = (value: unknown): string | null => (value === undefined || value === null ? null : text(value));
const pathOf = (path: unknown[]) => path.map((segment) => (typeof segment === 'number' && Number.isFinite(segment) ? segment : text(segment)));

/**
 * A plain copy made of strings and numbers only: a batch that cannot be
 * serialized (or that PostgreSQL refuses, like NUL characters) would otherwise
 * block the whole queue behind it.
 */
function normalize(entry: AuditEntry): AuditRecord {
  const { principal, client } = entry;
  return {
    time: entry.time ? text(entry.time) : new Date().toISOString(),
    kind: text(entry.kind) as AuditRecord['kind'],
    principal: {
      id: text(principal?.id ?? 'unknown'),
      kind: text(principal?.kind ?? 'unknown'),
      ...(principal?.email != null && { email: text(principal.email) }),
    },
    operationName: nullableText(entry.operationName),
    operationHash: nullableText(entry.operationHash),
    path: Array.isArray(entry.path) ? pathOf(entry.path) : null,
    ...(typeof entry.count === 'number' && {
      count: entry.count,
      pathPattern: Array.isArray(entry.pathPattern) ? pathOf(entry.pathPattern) : [],
      paths: Array.isArray(entry.paths) ? entry.paths.map((path) => (Array.isArray(path) ? pathOf(path) : [])) : [],
    }),
    rule: nullableText(entry.rule),
    reason: text(entry.reason ?? ''),
    ...(entry.route != null && { route: text(entry.route) }),
    ...(entry.tool != null && { tool: text(entry.tool) }),
    client: {
      ...(client?.name != null && { name: optionalText(client.name) }),
      ...(client?.address != null && { address: optionalText(client.address) }),
    },
    requestId: text(entry.requestId ?? ''),
  };
}

export class AuditLog {
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly maxBuffered: number;
  private readonly retryDelayMs: number;
  private readonly retryMaxDelayMs: number;
  private readonly closeTimeoutMs: number;
  private readonly maxWaitMs: number;
  private readonly onBackpressure: ((outcome: 'waited' | 'refused') => void) | undefined;

  /** Oldest first; `buffer[0]` is record number `writtenCount + 1`. */
  private buffer: AuditRecord[] = [];
  private recordedCount = 0;
  private writtenCount = 0;
  private droppedCount = 0;
  private consecutiveFailures = 0;
  private lastFailureLog = 0;
  private lastDropLog = 0;
  private droppedSinceLog = 0;
  /** Records waiting for room in the full buffer, first come first admitted. */
  private overflow: WaitingRecord[] = [];
  private waitedCount = 0;
  private refusedCount = 0;

  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  private waiters: { upTo: number; resolve: () => void }[] = [];
  private closing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly sink: AuditSink,
    private readonly logger: AuditLogger,
    options: AuditLogOptions = {},
  ) {
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.maxBatch = options.maxBatch ?? 500;
    this.maxBuffered = options.maxBuffered ?? 100_000;
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.retryMaxDelayMs = options.retryMaxDelayMs ?? 5_000;
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
    this.maxWaitMs = options.maxWaitMs ?? 5_000;
    this.onBackpressure = options.onBackpressure;
  }

  /** Records waiting to be written. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Records the sink has stored. */
  get written(): number {
    return this.writtenCount;
  }

  /** Records lost from the sink: recorded after close, or unwritable at close (those went to the process log). */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Records that had to wait for room in a full buffer. */
  get waited(): number {
    return this.waitedCount;
  }

  /** Records refused after waiting `maxWaitMs` (their requests were refused; the records went to the process log). */
  get refused(): number {
    return this.refusedCount;
  }

  record(entry: AuditEntry): AuditAdmission {
    try {
      // While closing, records are still taken (requests finishing during shutdown) and written before close resolves.
      if (this.closed) {
        this.drop(1, 'the audit log is closed');
        return Promise.resolve('refused');
      }
      const record = normalize(entry);
      if (this.buffer.length < this.maxBuffered && this.overflow.length === 0) return this.accept(record);
      return this.waitForRoom(record);
    } catch (error) {
      this.drop(1, `the entry could not be recorded: ${(error as Error)?.message}`);
      return Promise.resolve('refused');
    }
  }

  private accept(record: AuditRecord) {
    this.buffer.push(record);
    this.recordedCount++;
    if (this.buffer.length >= this.maxBatch) this.startDrain();
    else this.timer ??= setTimeout(() => this.startDrain(), this.flushIntervalMs).unref();
  }

  private waitForRoom(record: AuditRecord): Promise<'recorded' | 'refused'> {
    this.waitedCount++;
    this.notify('waited');
    return new Promise((resolve) => {
      const waiting: WaitingRecord = { record, resolve, timer: undefined as never };
      // Not unref'd: the request that waits is still in flight, and a refusal must be logged.
      waiting.timer = setTimeout(() => this.refuse(waiting), this.maxWaitMs);
      this.overflow.push(waiting);
      this.startDrain();
    });
  }

  /** Moves waiting records into the buffer while it has room. */
  private admitWaiting() {
    while (this.overflow.length > 0 && this.buffer.length < this.maxBuffered) {
      const waiting = this.overflow.shift()!;
      clearTimeout(waiting.timer);
      this.accept(waiting.record);
      waiting.resolve('recorded');
    }
  }

  private refuse(waiting: WaitingRecord) {
    const index = this.overflow.indexOf(waiting);
    if (index < 0) return;
    this.overflow.splice(index, 1);
    this.refusedCount++;
    this.notify('refused');
    try {
      this.logger.error(
        { auditRecord: waiting.record, sink: this.sink.description, buffered: this.buffer.length, refused: this.refusedCount },
        `audit record refused: the buffer stayed full for ${this.maxWaitMs} ms; its request is refused and the record is in this log`,
      );
    } catch {
      // record() never throws, even when logging does.
    }
    waiting.resolve('refused');
  }

  private notify(outcome: 'waited' | 'refused') {
    try {
      this.onBackpressure?.(outcome);
    } catch {
      // Metrics never break recording.
    }
  }

  /** Resolves once every record recorded before the call is written (retrying a failing sink as long as it takes). */
  flush(): Promise<void> {
    const upTo = this.recordedCount;
    if (this.writtenCount >= upTo || this.closed) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.waiters.push({ upTo, resolve }));
    this.startDrain();
    return done;
  }

  /** Writes everything buffered, then closes the sink. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown() {
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (deadline = setTimeout(() => resolve('timeout'), this.closeTimeoutMs)));
    const outcome = await Promise.race([this.flushForClose(), timedOut]);
    clearTimeout(deadline);
    this.closed = true;
    if (outcome === 'timeout') this.abandonBuffer();
    clearTimeout(this.timer);
    this.timer = undefined;
    this.reportDrops();
    try {
      await this.sink.close();
    } catch (error) {
      this.logger.error({ err: error, sink: this.sink.description }, 'audit sink did not close cleanly');
    }
  }

  private async flushForClose() {
    do {
      await this.flush();
      await this.draining;
    } while (this.buffer.length > 0 || this.overflow.length > 0);
  }

  /** The sink stayed down through close(): the records go to the process log instead of vanishing. */
  private abandonBuffer() {
    const waiting = this.overflow.splice(0);
    for (const entry of waiting) {
      clearTimeout(entry.timer);
      entry.resolve('refused');
    }
    const lost = [...this.buffer, ...waiting.map((entry) => entry.record)];
    this.buffer = [];
    this.droppedCount += lost.length;
    this.logger.error(
      { sink: this.sink.description, lost: lost.length, dropped: this.droppedCount },
      `audit log closed after ${this.closeTimeoutMs} ms with ${lost.length} records its sink did not accept; they follow in this log`,
    );
    for (let i = 0; i < lost.length; i += this.maxBatch) {
      this.logger.error({ auditRecords: lost.slice(i, i + this.maxBatch) }, 'audit records not written to the audit sink');
    }
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  private drop(count: number, why: string) {
    this.droppedCount += count;
    this.droppedSinceLog += count;
    // The first drop is logged at once, then at most one summary every 10 s (and at recovery and close).
    if (Date.now() - this.lastDropLog >= DROP_LOG_INTERVAL_MS) this.reportDrops(why);
  }

  private reportDrops(why?: string) {
    if (this.droppedSinceLog === 0) return;
    try {
      this.logger.error(
        { dropped: this.droppedCount, droppedSinceLastReport: this.droppedSinceLog, sink: this.sink.description },
        why ? `audit records dropped: ${why}` : 'audit records were dropped since the last report',
      );
    } catch {
      // record() never throws, even when logging does.
    }
    this.lastDropLog = Date.now();
    this.droppedSinceLog = 0;
  }

  private startDrain() {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.draining || this.buffer.length === 0) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // Records that arrived during the last write and were not urgent wait for the timer.
      if (this.buffer.length > 0 && !this.closed) {
        if (this.buffer.length >= this.maxBatch || this.waiters.length > 0 || this.overflow.length > 0) this.startDrain();
        else this.timer ??= setTimeout(() => this.startDrain(), this.flushIntervalMs).unref();
      }
    });
  }

  /** One writer at a time, so records reach the sink in order and never twice. */
  private async drain() {
    while (this.buffer.length > 0 && !this.closed) {
      const batch = this.buffer.slice(0, this.maxBatch);
      try {
        await this.sink.write(batch);
      } catch (error) {
        this.onWriteFailure(error);
        await this.backoff();
        continue;
      }
      this.buffer.splice(0, batch.length);
      this.writtenCount += batch.length;
      this.onWriteSuccess();
      this.admitWaiting();
      this.resolveWaiters();
      // Keep going while a full batch waits or someone is waiting; otherwise let the next records gather.
      if (this.buffer.length < this.maxBatch && this.waiters.length === 0 && this.overflow.length === 0) break;
    }
  }

  private resolveWaiters() {
    this.waiters = this.waiters.filter((waiter) => {
      if (waiter.upTo > this.writtenCount) return true;
      waiter.resolve();
      return false;
    });
  }

  private onWriteFailure(error: unknown) {
    this.consecutiveFailures++;
    const now = Date.now();
    if (this.consecutiveFailures > 1 && now - this.lastFailureLog < FAILURE_LOG_INTERVAL_MS) return;
    this.lastFailureLog = now;
    this.logger.error(
      { err: error, sink: this.sink.description, attempts: this.consecutiveFailures, buffered: this.buffer.length, dropped: this.droppedCount },
      'audit sink write failed; records stay buffered and the write is retried',
    );
  }

  private onWriteSuccess() {
    if (this.consecutiveFailures === 0) return;
    this.reportDrops();
    this.logger.warn(
      { sink: this.sink.description, failedAttempts: this.consecutiveFailures, buffered: this.buffer.length, dropped: this.droppedCount },
      'audit sink recovered; buffered records are being written',
    );
    this.consecutiveFailures = 0;
  }

  private backoff(): Promise<void> {
    const delay = Math.min(this.retryDelayMs * 2 ** (this.consecutiveFailures - 1), this.retryMaxDelayMs);
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, delay);
      // Someone waiting for the records (flush, close) keeps the process alive; background retries do not.
      if (this.waiters.length === 0 && this.overflow.length === 0 && !this.closing) timer.unref();
    });
  }
}
