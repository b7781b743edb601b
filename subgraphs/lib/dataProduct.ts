/**
 * A subgraph's data product at run time: its descriptor, its live freshness, its
 * quality rules on a schedule and on demand, and the two endpoints the gateway
 * reads them from (dataProductApi.ts). Everything runs inside the owning
 * subgraph, against its own database, in READ ONLY transactions.
 *
 * Contract: status() never throws for a database problem (freshness then says
 * what went wrong); at most one quality run is in flight at a time (asking
 * again while one runs joins it); the schedule's timer never keeps the process
 * alive; stop() ends the schedule.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Kind, parse } from 'graphql';
import type { Db } from './db';
import {
  QUALITY_RUN_PATH,
  QUALITY_RUN_SCOPE,
  STATUS_PATH,
  signedPayload,
  type DataProductStatus,
  type ExampleQuery,
  type FreshnessStatus,
} from './dataProductApi';
import { loadDescriptor, parseIsoDuration, type DataProductDescriptor, type QualityRule } from './descriptor';
import { HttpError, readBody, sendJson } from './http';
import { qualifiedTable, runQualityRules, scheduleQualityRules, type ModelEvaluators, type QualityReport } from './quality';
import type { SignedPrincipal, SignedRequestVerifier } from './signing';
import type { SubgraphDefinition } from './subgraph';

export type QualitySchedule = {
  /** Defaults to the descriptor's quality.schedule. */
  intervalMs?: number;
  /** Also run once this long after start (the catalog has results before the first interval); off when undefined. */
  firstRunAfterMs?: number;
};

export type DataProductOptions = {
  /** Defaults to `<definition.dir>/dataproduct.yaml`; tests inject a changed one. */
  descriptor?: DataProductDescriptor;
  /** Reuse a freshness measure this long (default 5 s), so frequent status requests (several gateways polling) cost one query. */
  freshnessMaxAgeMs?: number;
  /** Run the quality rules on a schedule. Off unless asked (tests run them on demand). */
  qualitySchedule?: QualitySchedule | false;
  onQualityReport?(report: QualityReport): void;
  onQualityError?(error: unknown): void;
  /** The subgraph's model evaluators, for model quality rules (from its definition). */
  models?: ModelEvaluators;
};

const EXAMPLES_FILE = 'examples.graphql';

/** The operations in `<dir>/examples.graphql`, each titled by the comment above it (or its name). */
export function readExamples(dir: string): ExampleQuery[] {
  const file = join(dir, EXAMPLES_FILE);
  if (!existsSync(file)) return [];
  const source = readFileSync(file, 'utf8');
  const document = parse(source);
  return document.definitions.flatMap((definition) => {
    if (definition.kind !== Kind.OPERATION_DEFINITION || !definition.loc) return [];
    const before = source.slice(0, definition.loc.start).trimEnd().split('\n');
    const comments: string[] = [];
    while (before.length && before[before.length - 1].trim().startsWith('#')) comments.unshift(before.pop()!.trim().replace(/^#\s?/, ''));
    const title = comments.join(' ') || definition.name?.value || 'Example';
    return [{ title, query: source.slice(definition.loc.start, definition.loc.end) }];
  });
}

type FreshnessRule = Extract<QualityRule, { type: 'freshness' }>;

/** The newest record of each table the freshness rules watch; the stalest one is the product's freshness. */
export async function measureFreshness(db: Db, descriptor: DataProductDescriptor, now = new Date()): Promise<FreshnessStatus> {
  const targetSeconds = parseIsoDuration(descriptor.sla.freshness)! / 1000;
  const rules = descriptor.quality.rules.filter((rule): rule is FreshnessRule => rule.type === 'freshness');
  const measuredOn = rules.map((rule) => `${qualifiedTable(descriptor.domain, rule.table).replace(/"/g, '')}.${rule.column}`);
  const unknown = (problem: string): FreshnessStatus => ({ newestRecordAt: null, lagSeconds: null, targetSeconds, met: null, measuredOn, problem });
  if (rules.length === 0) return unknown('no freshness rule in dataproduct.yaml (add one of type freshness to publish live freshness)');
  try {
    const newest = await db.readOnly(async (query) => {
      await query('SET LOCAL statement_timeout = 5000');
      const found: (Date | null)[] = [];
      for (const rule of rules) {
        const [row] = await query<{ latest: Date | string | null }>(`SELECT max("${rule.column}") AS latest FROM ${qualifiedTable(descriptor.domain, rule.table)}`);
        found.push(row.latest === null ? null : new Date(row.latest));
      }
      return found;
    });
    const empty = newest.findIndex((value) => value === null);
    if (empty >= 0) return unknown(`${measuredOn[empty]} has no rows`);
    const stalest = new Date(Math.min(...newest.map((value) => value!.getTime())));
    const lagSeconds = Math.max(0, Math.round((now.getTime() - stalest.getTime()) / 1000));
    return { newestRecordAt: stalest.toISOString(), lagSeconds, targetSeconds, met: lagSeconds <= targetSeconds, measuredOn };
  } catch (error) {
    return unknown(`could not measure: ${(error as Error).message}`);
  }
}

export class DataProduct {
  private lastReport: QualityReport | null = null;
  private running: Promise<QualityReport> | null = null;
  private freshness?: { at: Date; measured: Promise<FreshnessStatus> };
  private readonly schedule?: { stop(): void; runNow(): Promise<QualityReport> };
  private readonly firstRun?: NodeJS.Timeout;
  readonly examples: ExampleQuery[];

  constructor(
    readonly subgraph: string,
    readonly descriptor: DataProductDescriptor,
    private readonly db: Db,
    private readonly options: DataProductOptions & { examples?: ExampleQuery[] } = {},
  ) {
    this.examples = options.examples ?? [];
    const schedule = options.qualitySchedule;
    if (schedule) {
      this.schedule = scheduleQualityRules(
        db,
        descriptor,
        { onReport: (report) => this.record(report), onError: (error) => options.onQualityError?.(error) },
        { intervalMs: schedule.intervalMs, models: options.models },
      );
      if (schedule.firstRunAfterMs !== undefined) {
        this.firstRun = setTimeout(() => void this.runQuality().catch((error) => options.onQualityError?.(error)), schedule.firstRunAfterMs);
        this.firstRun.unref();
      }
    }
  }

  /** The product of `definition`, from its dataproduct.yaml unless one is given; null when it has no valid descriptor. */
  static forSubgraph(definition: SubgraphDefinition<any>, db: Db, options: DataProductOptions = {}): DataProduct | null {
    let descriptor = options.descriptor;
    if (!descriptor) {
      const outcome = loadDescriptor(definition.dir);
      if (!outcome.ok) return null;
      descriptor = outcome.descriptor;
    }
    return new DataProduct(definition.name, descriptor, db, { models: definition.models, ...options, examples: readExamples(definition.dir) });
  }

  private record(report: QualityReport) {
    this.lastReport = report;
    this.options.onQualityReport?.(report);
  }

  /** Runs every quality rule now; joins the run in flight, if any. */
  runQuality(): Promise<QualityReport> {
    if (this.schedule) return this.schedule.runNow();
    this.running ??= runQualityRules(this.db, this.descriptor, { models: this.options.models })
      .then((report) => {
        this.record(report);
        return report;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  async status(now = new Date()): Promise<DataProductStatus> {
    const maxAge = this.options.freshnessMaxAgeMs ?? 5000;
    if (!this.freshness || now.getTime() - this.freshness.at.getTime() > maxAge) {
      this.freshness = { at: now, measured: measureFreshness(this.db, this.descriptor, now) };
    }
    const { at, measured } = this.freshness;
    return {
      subgraph: this.subgraph,
      descriptor: this.descriptor,
      checkedAt: at.toISOString(),
      freshness: await measured,
      quality: this.lastReport,
      examples: this.examples,
    };
  }

  /** Who may run the rules on demand: the owning domain's members, or holders of the quality:run scope. */
  mayRunQuality(principal: SignedPrincipal | undefined): boolean {
    if (!principal) return true;
    return principal.domains.includes(this.descriptor.domain) || principal.scopes.includes(QUALITY_RUN_SCOPE);
  }

  stop() {
    this.schedule?.stop();
    if (this.firstRun) clearTimeout(this.firstRun);
  }
}

export const isDataProductPath = (path: string) => path === STATUS_PATH || path === QUALITY_RUN_PATH;

/**
 * Serves GET /dataproduct/status and POST /dataproduct/quality/run. With a
 * verifier, only requests the gateway signed over `signedPayload` are
 * served (HTTP 401 otherwise), and a quality run also needs a principal allowed
 * to ask for it (HTTP 403), checked again here behind the gateway's own check.
 */
export async function serveDataProduct(
  product: DataProduct,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  options: { verifier?: SignedRequestVerifier },
): Promise<void> {
  const method = req.method ?? 'GET';
  const expected = path === STATUS_PATH ? 'GET' : 'POST';
  const body = (await readBody(req, 16 * 1024)).toString('utf8');
  let principal: SignedPrincipal | undefined;
  if (options.verifier) {
    const verdict = options.verifier.verify({ headers: req.headers, body: signedPayload(method, path, body) });
    if (!verdict.ok) throw new HttpError(401, 'UNAUTHENTICATED', `Subgraph "${product.subgraph}" accepts only requests signed by the gateway: ${verdict.message}`);
    principal = verdict.principal;
  }
  if (method !== expected) throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${path} accepts ${expected} only`);
  if (path === STATUS_PATH) return sendJson(res, 200, await product.status(), { 'cache-control': 'no-store' });
  if (!product.mayRunQuality(principal)) {
    throw new HttpError(403, 'FORBIDDEN', `Running the ${product.descriptor.id} quality rules requires membership of the ${product.descriptor.domain} domain or the ${QUALITY_RUN_SCOPE} scope`);
  }
  sendJson(res, 200, await product.runQuality(), { 'cache-control': 'no-store' });
}
