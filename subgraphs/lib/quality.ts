/**
 * The data-quality rule engine. A domain's subgraph runs the rules of its own
 * descriptor against its own database, on a schedule and on demand, and the
 * results feed the catalog and the metrics.
 *
 * Guarantees:
 * - every rule runs inside one READ ONLY, REPEATABLE READ transaction that is
 *   rolled back (`Db.readOnly`): one consistent snapshot, and nothing a rule runs,
 *   custom SQL included, can write;
 * - rules only name tables of the domain's own schema (unqualified names resolve
 *   there, and custom SQL runs with `search_path` set to it);
 * - a rule that cannot run (missing table, bad SQL) is a failed result with the
 *   database's message, never an exception, and does not stop the other rules;
 * - a model rule is measured by the owning subgraph's evaluator of that model, on the
 *   same read-only snapshot, once per run however many of its rules there are.
 */
import type { Db, QueryFn } from './db';
import { parseIsoDuration, OPERATORS, type DataProductDescriptor, type QualityRule } from './descriptor';

export type QualityResult = {
  rule: string;
  type: QualityRule['type'];
  severity: 'error' | 'warning';
  description?: string;
  /** The table the rule reads, qualified with the domain's schema; absent for custom SQL. */
  table?: string;
  column?: string;
  passed: boolean;
  /**
   * What was measured: the number of offending rows (notNull, unique, acceptedValues,
   * range), the row count, the age of the newest row in seconds (freshness), or the
   * query's value (sql). Null when the rule could not run.
   */
  observed: number | boolean | null;
  message: string;
  /** The database's error when the rule could not run. */
  error?: string;
  /** Further figures a rule measured (a model rule: the model's and the rule-based flags' precision and recall on the same split). */
  figures?: { name: string; value: number }[];
  durationMs: number;
};

/** A model's figures on the product's held-out split, next to a baseline (the product's rule-based flags) on the same rows. */
export type ModelEvaluation = {
  version: string;
  threshold: number;
  rows: number;
  positives: number;
  model: { precision: number; recall: number };
  baseline: { name: string; precision: number; recall: number };
};
/** A subgraph's evaluators, by model name; each reads only through the query function it gets. */
export type ModelEvaluators = Record<string, (query: QueryFn) => Promise<ModelEvaluation>>;

export type QualityReport = {
  product: string;
  domain: string;
  ranAt: string;
  durationMs: number;
  /** Share of rules that passed, from 0 to 1 (1 when there are no rules). */
  score: number;
  /** True when every error-severity rule passed. */
  passed: boolean;
  /** Names of the rules that failed, errors first. */
  failedRules: string[];
  /** Age of the newest data in seconds, from the freshness rules (the oldest one wins); null without such rules. */
  freshnessLagSeconds: number | null;
  /** The SLA's freshness target in seconds, and whether the lag is beyond it. */
  freshnessTargetSeconds: number;
  slaBreached: boolean;
  results: QualityResult[];
};

export type QualityOptions = {
  /** The time freshness is measured against; now by default. */
  now?: Date;
  /** Run only these rules (by name). */
  only?: string[];
  /** Per-statement limit for rules, in milliseconds (PostgreSQL's statement_timeout). */
  statementTimeoutMs?: number;
  /** The subgraph's model evaluators, for model rules. */
  models?: ModelEvaluators;
};

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** `customer` or `customers.customer` → `"customers"."customer"`. */
export function qualifiedTable(domain: string, table: string): string {
  const [schema, name] = table.includes('.') ? table.split('.') : [domain, table];
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/** A compact human duration: 45s, 12m, 3h 20m, 21d 4h. */
export function formatAge(seconds: number): string {
  const s = Math.round(Math.abs(seconds));
  const sign = seconds < 0 ? '-' : '';
  if (s < 60) return `${sign}${s}s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)}m`;
  if (s < 86_400) return `${sign}${Math.floor(s / 3600)}h${s % 3600 >= 60 ? ` ${Math.floor((s % 3600) / 60)}m` : ''}`;
  return `${sign}${Math.floor(s / 86_400)}d${s % 86_400 >= 3600 ? ` ${Math.floor((s % 86_400) / 3600)}h` : ''}`;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

type Measured = { passed: boolean; observed: number | boolean | null; message: string; figures?: QualityResult['figures'] };
type RuleContext = { query: QueryFn; domain: string; descriptor: DataProductDescriptor; now: Date; models: ModelEvaluators; evaluations: Map<string, Promise<ModelEvaluation>> };

/** Checks a number against a custom SQL rule's one operator. */
function compare(value: number, rule: Extract<QualityRule, { type: 'sql' }>): { passed: boolean; expectation: string } | null {
  if (rule.mustBe !== undefined) return { passed: value === rule.mustBe, expectation: `= ${rule.mustBe}` };
  if (rule.mustNotBe !== undefined) return { passed: value !== rule.mustNotBe, expectation: `≠ ${rule.mustNotBe}` };
  if (rule.mustBeGreaterThan !== undefined) return { passed: value > rule.mustBeGreaterThan, expectation: `> ${rule.mustBeGreaterThan}` };
  if (rule.mustBeGreaterOrEqualTo !== undefined) return { passed: value >= rule.mustBeGreaterOrEqualTo, expectation: `≥ ${rule.mustBeGreaterOrEqualTo}` };
  if (rule.mustBeLessThan !== undefined) return { passed: value < rule.mustBeLessThan, expectation: `< ${rule.mustBeLessThan}` };
  if (rule.mustBeLessOrEqualTo !== undefined) return { passed: value <= rule.mustBeLessOrEqualTo, expectation: `≤ ${rule.mustBeLessOrEqualTo}` };
  if (rule.mustBeBetween !== undefined) {
    const [low, high] = rule.mustBeBetween;
    return { passed: value >= low && value <= high, expectation: `between ${low} and ${high}` };
  }
  return null;
}

/** One function per rule type: the SQL it runs and how it reads the answer. */
const measure: { [K in QualityRule['type']]: (rule: Extract<QualityRule, { type: K }>, context: RuleContext) => Promise<Measured> } = {
  async notNull(rule, { query, domain }) {
    const [row] = await query<{ nulls: number; total: number }>(
      `SELECT count(*) FILTER (WHERE ${quoteIdent(rule.column)} IS NULL)::int AS nulls, count(*)::int AS total FROM ${qualifiedTable(domain, rule.table)}`,
    );
    return {
      passed: row.nulls === 0,
      observed: row.nulls,
      message: row.nulls === 0 ? `no nulls in ${rule.column} (${plural(row.total, 'row')})` : `${row.nulls} of ${row.total} rows have a null ${rule.column}`,
    };
  },
  async unique(rule, { query, domain }) {
    const column = quoteIdent(rule.column);
    const [row] = await query<{ duplicates: number; examples: string[] | null }>(
      `SELECT coalesce(sum(n - 1), 0)::int AS duplicates, (array_agg(value ORDER BY n DESC))[1:3] AS examples
         FROM (SELECT ${column}::text AS value, count(*) AS n FROM ${qualifiedTable(domain, rule.table)} WHERE ${column} IS NOT NULL GROUP BY ${column} HAVING count(*) > 1) d`,
    );
    return {
      passed: row.duplicates === 0,
      observed: row.duplicates,
      message: row.duplicates === 0 ? `every ${rule.column} is unique` : `${plural(row.duplicates, 'duplicate row')} in ${rule.column}, for example ${(row.examples ?? []).map((v) => JSON.stringify(v)).join(', ')}`,
    };
  },
  async acceptedValues(rule, { query, domain }) {
    const column = quoteIdent(rule.column);
    const [row] = await query<{ invalid: number; examples: string[] | null }>(
      `SELECT count(*)::int AS invalid, (array_agg(DISTINCT ${column}::text))[1:5] AS examples
         FROM ${qualifiedTable(domain, rule.table)} WHERE ${column} IS NOT NULL AND NOT (${column}::text = ANY($1::text[]))`,
      [rule.values.map(String)],
    );
    return {
      passed: row.invalid === 0,
      observed: row.invalid,
      message: row.invalid === 0
        ? `every ${rule.column} is one of ${rule.values.join(', ')}`
        : `${plural(row.invalid, 'row')} with ${rule.column} outside ${rule.values.join(', ')}: ${(row.examples ?? []).map((v) => JSON.stringify(v)).join(', ')}`,
    };
  },
  async range(rule, { query, domain }) {
    const column = quoteIdent(rule.column);
    const [row] = await query<{ outside: number; low: number | null; high: number | null }>(
      `SELECT count(*) FILTER (WHERE ${column} < $1 OR ${column} > $2)::int AS outside, min(${column})::float8 AS low, max(${column})::float8 AS high
         FROM ${qualifiedTable(domain, rule.table)}`,
      [rule.min ?? null, rule.max ?? null],
    );
    const bounds = `[${rule.min ?? '-∞'}, ${rule.max ?? '∞'}]`;
    return {
      passed: row.outside === 0,
      observed: row.outside,
      message: row.outside === 0
        ? `every ${rule.column} lies in ${bounds} (seen ${row.low ?? '-'} to ${row.high ?? '-'})`
        : `${plural(row.outside, 'row')} with ${rule.column} outside ${bounds} (seen ${row.low} to ${row.high})`,
    };
  },
  async rowCount(rule, { query, domain }) {
    const [row] = await query<{ count: number }>(`SELECT count(*)::int AS count FROM ${qualifiedTable(domain, rule.table)}`);
    const passed = (rule.min === undefined || row.count >= rule.min) && (rule.max === undefined || row.count <= rule.max);
    const bounds = rule.max === undefined ? `at least ${rule.min}` : rule.min === undefined ? `at most ${rule.max}` : `between ${rule.min} and ${rule.max}`;
    return { passed, observed: row.count, message: `${plural(row.count, 'row')} (expected ${bounds})` };
  },
  async freshness(rule, { query, domain, descriptor, now }) {
    const [row] = await query<{ latest: Date | string | null }>(`SELECT max(${quoteIdent(rule.column)}) AS latest FROM ${qualifiedTable(domain, rule.table)}`);
    const maxAge = rule.maxAge ?? descriptor.sla.freshness;
    const maxAgeSeconds = parseIsoDuration(maxAge)! / 1000;
    if (row.latest === null) return { passed: false, observed: null, message: `no rows: ${rule.table} is empty, so it has no fresh data` };
    const latest = new Date(row.latest);
    const lag = Math.round((now.getTime() - latest.getTime()) / 1000);
    return {
      passed: lag <= maxAgeSeconds,
      observed: lag,
      message: `newest ${rule.column} is ${latest.toISOString()}, ${formatAge(lag)} old (allowed ${maxAge})`,
    };
  },
  async sql(rule, { query, domain }) {
    await query(`SET LOCAL search_path TO ${quoteIdent(domain)}`);
    const rows = await query<Record<string, unknown>>(rule.query);
    if (rows.length !== 1 || Object.keys(rows[0]).length !== 1) {
      return { passed: false, observed: null, message: `expected one row with one column, got ${plural(rows.length, 'row')}${rows[0] ? ` of ${plural(Object.keys(rows[0]).length, 'column')}` : ''}` };
    }
    const value = Object.values(rows[0])[0];
    const operator = OPERATORS.find((name) => rule[name] !== undefined);
    if (typeof value === 'boolean') {
      if (operator) return { passed: false, observed: value, message: `returned a boolean, but the rule compares with ${operator}: return a number` };
      return { passed: value, observed: value, message: `returned ${value}` };
    }
    const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof number !== 'number' || Number.isNaN(number)) return { passed: false, observed: null, message: `expected a number or boolean, got ${JSON.stringify(value)}` };
    const comparison = compare(number, rule);
    if (!comparison) return { passed: false, observed: number, message: `returned ${number}; a number needs an operator such as mustBe: 0` };
    return { passed: comparison.passed, observed: number, message: `returned ${number} (expected ${comparison.expectation})` };
  },
  async model(rule, { query, models, evaluations }) {
    const evaluate = models[rule.model];
    if (!evaluate) return { passed: false, observed: null, message: `this subgraph has no evaluator for the model ${rule.model}` };
    let evaluation = evaluations.get(rule.model);
    if (!evaluation) evaluations.set(rule.model, (evaluation = evaluate(query)));
    const { version, threshold, rows, positives, model, baseline } = await evaluation;
    if (positives < rule.minPositives) {
      return { passed: true, observed: null, message: `not measured: the held-out split has ${positives} labeled (of ${plural(rows, 'row')}); ${rule.model}'s ${rule.metric} needs at least ${rule.minPositives}` };
    }
    const value = model[rule.metric];
    return {
      passed: value >= rule.min,
      observed: value,
      message:
        `${rule.model} ${version}: ${rule.metric} ${value} at score ≥ ${threshold} on the held-out split (${plural(rows, 'row')}, ${positives} labeled), expected ≥ ${rule.min}; ` +
        `${baseline.name}: ${baseline[rule.metric]} on the same rows`,
      figures: [
        { name: 'model precision', value: model.precision },
        { name: 'model recall', value: model.recall },
        { name: `${baseline.name} precision`, value: baseline.precision },
        { name: `${baseline.name} recall`, value: baseline.recall },
      ],
    };
  },
};

/**
 * Runs the descriptor's quality rules against the domain's own tables and
 * returns every result with an overall score. Never throws for a rule that fails
 * or cannot run; throws only when the database itself is unreachable.
 */
export async function runQualityRules(db: Db, descriptor: DataProductDescriptor, options: QualityOptions = {}): Promise<QualityReport> {
  const started = performance.now();
  const now = options.now ?? new Date();
  const domain = descriptor.domain;
  const rules = descriptor.quality.rules.filter((rule) => !options.only || options.only.includes(rule.name));
  const evaluations = new Map<string, Promise<ModelEvaluation>>();
  const results = await db.readOnly(async (query) => {
    await query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(options.statementTimeoutMs ?? 30_000))}`);
    const results: QualityResult[] = [];
    for (const rule of rules) {
      const ruleStarted = performance.now();
      const base = {
        rule: rule.name,
        type: rule.type,
        severity: rule.severity,
        ...(rule.description ? { description: rule.description } : {}),
        ...('table' in rule ? { table: qualifiedTable(domain, rule.table).replace(/"/g, '') } : {}),
        ...('column' in rule ? { column: rule.column } : {}),
      };
      // A savepoint per rule: a rule that errors rolls back to it and the others still run.
      await query('SAVEPOINT quality_rule');
      try {
        const measured = await (measure[rule.type] as (rule: QualityRule, context: RuleContext) => Promise<Measured>)(rule, { query, domain, descriptor, now, models: options.models ?? {}, evaluations });
        await query('RELEASE SAVEPOINT quality_rule');
        results.push({ ...base, ...measured, durationMs: Math.round(performance.now() - ruleStarted) });
      } catch (error) {
        await query('ROLLBACK TO SAVEPOINT quality_rule');
        const message = error instanceof Error ? error.message : String(error);
        results.push({ ...base, passed: false, observed: null, message: `could not run: ${message}`, error: message, durationMs: Math.round(performance.now() - ruleStarted) });
      }
    }
    return results;
  });
  const failed = results.filter((result) => !result.passed);
  const lags = results.filter((result) => result.type === 'freshness' && typeof result.observed === 'number').map((result) => result.observed as number);
  const freshnessLagSeconds = lags.length ? Math.max(...lags) : null;
  const freshnessTargetSeconds = parseIsoDuration(descriptor.sla.freshness)! / 1000;
  return {
    product: descriptor.id,
    domain,
    ranAt: now.toISOString(),
    durationMs: Math.round(performance.now() - started),
    score: results.length ? Math.round(((results.length - failed.length) / results.length) * 1000) / 1000 : 1,
    passed: !failed.some((result) => result.severity === 'error'),
    failedRules: [...failed.filter((r) => r.severity === 'error'), ...failed.filter((r) => r.severity === 'warning')].map((result) => result.rule),
    freshnessLagSeconds,
    freshnessTargetSeconds,
    slaBreached: freshnessLagSeconds !== null && freshnessLagSeconds > freshnessTargetSeconds,
    results,
  };
}

/**
 * Runs the rules every `quality.schedule` (or `intervalMs`), never two runs at
 * once, and hands each report to `onReport`. The timer does not keep the process alive.
 */
export function scheduleQualityRules(
  db: Db,
  descriptor: DataProductDescriptor,
  handlers: { onReport(report: QualityReport): void; onError?(error: unknown): void },
  options: QualityOptions & { intervalMs?: number; runImmediately?: boolean } = {},
): { stop(): void; runNow(): Promise<QualityReport> } {
  const intervalMs = options.intervalMs ?? parseIsoDuration(descriptor.quality.schedule)!;
  let running: Promise<QualityReport> | null = null;
  const runNow = () => {
    running ??= runQualityRules(db, descriptor, options)
      .then((report) => {
        handlers.onReport(report);
        return report;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const tick = () => void runNow().catch((error) => handlers.onError?.(error));
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  if (options.runImmediately) tick();
  return { stop: () => clearInterval(timer), runNow };
}

/** Human-readable lines for a report, for the command line and logs. */
export function formatQualityReport(report: QualityReport): string {
  const lines = [
    `${report.product}: score ${(report.score * 100).toFixed(1)}%, ${report.results.length - report.failedRules.length}/${report.results.length} rules passed` +
      (report.freshnessLagSeconds !== null ? `, freshness lag ${formatAge(report.freshnessLagSeconds)}${report.slaBreached ? ' (SLA breached)' : ''}` : '') +
      ` in ${report.durationMs} ms`,
  ];
  const width = Math.max(0, ...report.results.map((result) => result.rule.length));
  for (const result of report.results) {
    const mark = result.passed ? 'pass' : result.severity === 'error' ? 'FAIL' : 'warn';
    lines.push(`  ${mark}  ${result.rule.padEnd(width)} ${result.message}`);
  }
  return lines.join('\n');
}
