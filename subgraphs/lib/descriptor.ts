/**
 * The data-product descriptor: `subgraphs/<domain>/dataproduct.yaml`. One zod
 * schema (strict: unknown keys are errors) is the single source of truth: the
 * TypeScript type is inferred from it, `schema/dataproduct.schema.json` is
 * generated from it for editors, and `loadDescriptor` validates with it.
 *
 * The shape follows the core of Bitol's open standards (ODPS for the product,
 * ODCS for its contract: id, name, domain, version, status, description with
 * purpose/limitations/usage, SLA, quality rules, tags), so `npm run export -- odcs`
 * is a mapping, not a translation.
 *
 * Contract: loading never throws for bad input; it returns every problem as a
 * string that starts with the key path, says what was expected and what was given.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';

// ---- ISO-8601 durations ---------------------------------------------------------------------------

const ISO_DURATION = /^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$/;
const DURATION_UNITS_MS = { Y: 365 * 86_400_000, M: 30 * 86_400_000, W: 7 * 86_400_000, D: 86_400_000 } as const;
const TIME_UNITS_MS = { H: 3_600_000, M: 60_000, S: 1000 } as const;

/** Milliseconds in an ISO-8601 duration (a year counts 365 days, a month 30); null when it is not one. */
export function parseIsoDuration(text: string): number | null {
  if (!ISO_DURATION.test(text)) return null;
  const [datePart, timePart = ''] = text.slice(1).split('T');
  let ms = 0;
  for (const [, amount, unit] of datePart.matchAll(/(\d+)([YMWD])/g)) ms += Number(amount) * DURATION_UNITS_MS[unit as keyof typeof DURATION_UNITS_MS];
  for (const [, amount, unit] of timePart.matchAll(/(\d+(?:\.\d+)?)([HMS])/g)) ms += Number(amount) * TIME_UNITS_MS[unit as keyof typeof TIME_UNITS_MS];
  return ms;
}

const show = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value));

const isoDuration = (example: string) =>
  z
    .string()
    .regex(ISO_DURATION, { error: (issue) => `expected an ISO-8601 duration such as ${example}, got ${show(issue.input)}` })
    .describe(`An ISO-8601 duration, for example ${example}.`);

// ---- building blocks ------------------------------------------------------------------------------

const identifier = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, { error: (issue) => `expected a lower-case SQL name (letters, digits, "_"), got ${show(issue.input)}` });

/** A table in the domain's own schema: `customer`, or qualified with the domain's schema, `customers.customer`. */
const tableName = z
  .string()
  .regex(/^([a-z][a-z0-9_]*\.)?[a-z][a-z0-9_]*$/, { error: (issue) => `expected a table of this domain, such as orders or sales.orders, got ${show(issue.input)}` })
  .describe("A table in the domain's own database schema; unqualified names are looked up in that schema.");

const nonEmpty = (what: string) => z.string({ error: (issue) => (issue.input === undefined ? `required: ${what}` : `expected text (${what}), got ${show(issue.input)}`) }).trim().min(1, { error: `must not be empty: ${what}` });

const contact = z
  .string()
  .refine((value) => /^(mailto:)?[^\s@:]+@[^\s@]+\.[^\s@]+$/.test(value) || /^https?:\/\/\S+$/.test(value), {
    error: (issue) => `expected an email address or an https URL where the team answers, got ${show(issue.input)}`,
  })
  .describe('An email address or URL where the owning team answers questions about the product.');

export const PII_CATEGORIES = ['identity', 'contact', 'financial', 'location', 'health', 'demographic', 'other'] as const;
export const PiiCategory = z.enum(PII_CATEGORIES).describe('What kind of personal data a field holds.');

export const DATA_PRODUCT_STATUSES = ['draft', 'active', 'deprecated', 'retired'] as const;

// ---- quality rules --------------------------------------------------------------------------------

const ruleCommon = {
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]*$/, { error: (issue) => `expected a kebab-case rule name such as orders-total-positive, got ${show(issue.input)}` })
    .describe('Unique within the product; names the rule in results, the catalog and metrics.'),
  description: z.string().min(1).optional().describe('What the rule guarantees, for people reading the catalog.'),
  severity: z
    .enum(['error', 'warning'])
    .default('error')
    .describe('error: a failure breaks the contract (and counts as an SLA breach); warning: worth a look.'),
};

const columnRule = { ...ruleCommon, table: tableName, column: identifier.describe('A column of `table`.') };

/** Comparison operators of ODCS, for custom SQL that returns a number. */
const operators = {
  mustBe: z.number().optional(),
  mustNotBe: z.number().optional(),
  mustBeGreaterThan: z.number().optional(),
  mustBeGreaterOrEqualTo: z.number().optional(),
  mustBeLessThan: z.number().optional(),
  mustBeLessOrEqualTo: z.number().optional(),
  mustBeBetween: z.tuple([z.number(), z.number()]).optional(),
};
export const OPERATORS = Object.keys(operators) as (keyof typeof operators)[];

const NotNullRule = z.object({ type: z.literal('notNull'), ...columnRule }).strict().describe('No row has a null in `column`.');
const UniqueRule = z.object({ type: z.literal('unique'), ...columnRule }).strict().describe('No two rows share a non-null value of `column`.');
const AcceptedValuesRule = z
  .object({ type: z.literal('acceptedValues'), ...columnRule, values: z.array(z.union([z.string(), z.number(), z.boolean()])).min(1) })
  .strict()
  .describe('Every non-null value of `column` is one of `values`.');
const RangeRule = z
  .object({ type: z.literal('range'), ...columnRule, min: z.number().optional(), max: z.number().optional() })
  .strict()
  .describe('Every non-null value of the numeric `column` lies in [min, max].');
const RowCountRule = z
  .object({ type: z.literal('rowCount'), ...ruleCommon, table: tableName, min: z.number().int().min(0).optional(), max: z.number().int().min(0).optional() })
  .strict()
  .describe('The number of rows of `table` lies in [min, max].');
const FreshnessRule = z
  .object({ type: z.literal('freshness'), ...columnRule, maxAge: isoDuration('PT24H').optional().describe('Defaults to sla.freshness.') })
  .strict()
  .describe('The newest value of the timestamp `column` is at most `maxAge` old.');
const SqlRule = z
  .object({
    type: z.literal('sql'),
    ...ruleCommon,
    query: z.string().min(1).describe("One read-only SELECT over the domain's own tables that returns one row with one number or boolean."),
    ...operators,
  })
  .strict()
  .describe('Custom SQL: passes when it returns true, or a number that satisfies its one operator.');

const ModelRule = z
  .object({
    type: z.literal('model'),
    ...ruleCommon,
    model: z.string().min(1).describe('The model, by its name in `models`.'),
    metric: z.enum(['precision', 'recall']).describe("The figure measured on the held-out split at the model's serving threshold."),
    min: z.number().min(0).max(1).describe('The lowest acceptable value, from 0 to 1.'),
    minPositives: z
      .number()
      .int()
      .min(1)
      .default(20)
      .describe('Fewer labeled positives than this in the held-out split (a small seed) cannot measure the figure: the rule then passes as not measured, saying so.'),
  })
  .strict()
  .describe("A model the product serves: its precision or recall on the product's held-out split, measured now on its own tables, is at least `min`.");

export const QualityRule = z.discriminatedUnion('type', [NotNullRule, UniqueRule, AcceptedValuesRule, RangeRule, RowCountRule, FreshnessRule, SqlRule, ModelRule]);
export type QualityRule = z.infer<typeof QualityRule>;
export type QualityRuleType = QualityRule['type'];
export const QUALITY_RULE_TYPES: QualityRuleType[] = ['notNull', 'unique', 'acceptedValues', 'range', 'rowCount', 'freshness', 'sql', 'model'];

// ---- models the product serves (model cards) ------------------------------------------------------

const ModelMetrics = z
  .object({
    precision: z.number().min(0).max(1),
    recall: z.number().min(0).max(1),
    f1: z.number().min(0).max(1),
    truePositives: z.number().int().min(0),
    falsePositives: z.number().int().min(0),
    falseNegatives: z.number().int().min(0),
  })
  .strict();

export const ModelCard = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/, { error: (issue) => `expected a lower-case model name such as fraud-score, got ${show(issue.input)}` }),
    version: z.string().min(1).describe('Changes whenever the model does (written by the training command).'),
    trainedAt: z.iso.datetime({ error: (issue) => `expected an ISO-8601 date-time such as 2026-12-03T11:00:00.000Z, got ${show(issue.input)}` }),
    algorithm: nonEmpty('the kind of model and the library that runs it'),
    file: z.string().min(1).describe("The model file, relative to the product's folder, versioned with it."),
    features: z.array(z.string().min(1)).min(1).describe('The inputs, in order, all computed by the product itself.'),
    threshold: z.number().min(0).max(1).describe('Scores at or above it are served as flagged; the model quality rules measure there.'),
    training: z.object({ seed: z.number().int(), scale: z.number().positive(), transactions: z.number().int().min(0), frauds: z.number().int().min(0), negativesKept: z.number().int().min(0), split: nonEmpty('how the held-out side is chosen') }).strict(),
    heldOut: z
      .object({ transactions: z.number().int().min(0), frauds: z.number().int().min(0), model: ModelMetrics, rules: ModelMetrics.describe("The product's rule-based flags on the same transactions.") })
      .strict()
      .describe('Figures measured on the held-out split when the model was trained.'),
  })
  .strict()
  .describe('A model the product serves, with what it was trained on and how well it did on data it never saw.');
export type ModelCard = z.infer<typeof ModelCard>;

// ---- the descriptor -------------------------------------------------------------------------------

export const Owner = z
  .object({ team: nonEmpty('the owning team'), contact })
  .strict()
  .describe('The team accountable for the product and how to reach it.');

export const DataProductDescriptor = z
  .object({
    apiVersion: z.literal('meshgate/v1').describe('Version of this descriptor format.'),
    kind: z.literal('DataProduct'),
    id: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, { error: (issue) => `expected a lower-case id such as customers, got ${show(issue.input)}` })
      .describe('Stable identifier of the product, unique in the mesh.'),
    name: nonEmpty('a human-readable product name'),
    domain: identifier.describe('The owning domain: the subgraph name and the database schema.'),
    version: z
      .string({ error: (issue) => `expected a semantic version such as 1.0.0, got ${show(issue.input)}` })
      .regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, { error: (issue) => `expected a semantic version such as 1.0.0, got ${show(issue.input)}` })
      .describe('Semantic version of the contract: major for breaking changes.'),
    status: z.enum(DATA_PRODUCT_STATUSES).describe('Lifecycle: draft (hidden outside development), active, deprecated (warned), retired (removed).'),
    deprecation: z
      .object({
        reason: nonEmpty('why the product is deprecated or retired'),
        replacedBy: z.string().min(1).optional().describe('The product to use instead.'),
        sunset: z.iso.date({ error: (issue) => `expected a date such as 2027-06-30, got ${show(issue.input)}` }).optional().describe('When the product will be (or was) retired.'),
      })
      .strict()
      .optional()
      .describe('Required when status is deprecated or retired.'),
    owner: Owner,
    description: z
      .object({
        purpose: nonEmpty('what the product is for'),
        limitations: nonEmpty('what it must not be used for, or cannot answer'),
        usage: nonEmpty('how to use it, for example which entities to join on'),
      })
      .strict(),
    sla: z
      .object({
        availability: z
          .string({ error: (issue) => `expected a percentage such as 99.9%, got ${show(issue.input)}` })
          .regex(/^(100(\.0+)?|\d{1,2}(\.\d+)?)%$/, { error: (issue) => `expected a percentage such as 99.9%, got ${show(issue.input)}` })
          .describe('Share of time the subgraph answers, for example 99.9%.'),
        latencyP95Ms: z.number().int().positive().describe('95th percentile response time of the subgraph, in milliseconds.'),
        freshness: isoDuration('PT24H').describe('How old the newest data may be, for example PT24H.'),
        retention: isoDuration('P7Y').describe('How long data is kept, for example P7Y.'),
      })
      .strict(),
    pii: z
      .record(
        z.string().regex(/^[A-Z][A-Za-z0-9_]*\.[a-z_][A-Za-z0-9_]*$/, { error: (issue) => `expected Type.field, got ${show(issue.input)}` }),
        PiiCategory,
      )
      .default({})
      .describe('Fields that hold personal data, as Type.field: category. Must agree with the @pii directives in schema.graphql.'),
    quality: z
      .object({
        schedule: isoDuration('PT1H').default('PT1H').describe('How often the subgraph runs the rules.'),
        rules: z.array(QualityRule).default([]),
      })
      .strict()
      .default({ schedule: 'PT1H', rules: [] }),
    termsOfUse: z
      .object({
        summary: nonEmpty('who may use the data and for what'),
        url: z.url().optional().describe('The full terms.'),
      })
      .strict(),
    tags: z.array(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { error: (issue) => `expected a lower-case tag, got ${show(issue.input)}` })).default([]),
    models: z.array(ModelCard).default([]).describe('Models the product serves (model cards); the training command writes them.'),
  })
  .strict()
  .superRefine((descriptor, ctx) => {
    if ((descriptor.status === 'deprecated' || descriptor.status === 'retired') && !descriptor.deprecation) {
      ctx.addIssue({ code: 'custom', path: ['deprecation'], message: `required when status is ${descriptor.status}: give a reason (and replacedBy, sunset when known)` });
    }
    const seen = new Set<string>();
    descriptor.quality.rules.forEach((rule, index) => {
      const path = ['quality', 'rules', index];
      if (seen.has(rule.name)) ctx.addIssue({ code: 'custom', path: [...path, 'name'], message: `duplicate rule name "${rule.name}"` });
      seen.add(rule.name);
      const table = 'table' in rule ? rule.table : null;
      if (table?.includes('.') && table.split('.')[0] !== descriptor.domain) {
        ctx.addIssue({ code: 'custom', path: [...path, 'table'], message: `expected a table in this domain's schema "${descriptor.domain}", got "${table}"` });
      }
      if ((rule.type === 'range' || rule.type === 'rowCount') && rule.min === undefined && rule.max === undefined) {
        ctx.addIssue({ code: 'custom', path, message: `a ${rule.type} rule needs min, max or both` });
      }
      if ((rule.type === 'range' || rule.type === 'rowCount') && rule.min !== undefined && rule.max !== undefined && rule.min > rule.max) {
        ctx.addIssue({ code: 'custom', path: [...path, 'min'], message: `min (${rule.min}) is greater than max (${rule.max})` });
      }
      if (rule.type === 'model' && !descriptor.models.some((model) => model.name === rule.model)) {
        ctx.addIssue({ code: 'custom', path: [...path, 'model'], message: `expected the name of a model in models (${descriptor.models.map((model) => model.name).join(', ') || 'none'}), got "${rule.model}"` });
      }
      if (rule.type === 'sql') {
        const given = OPERATORS.filter((operator) => rule[operator] !== undefined);
        if (given.length > 1) ctx.addIssue({ code: 'custom', path, message: `expected at most one operator, got ${given.join(', ')}` });
        const problem = readOnlySelectProblem(rule.query);
        if (problem) ctx.addIssue({ code: 'custom', path: [...path, 'query'], message: problem });
      }
    });
  });

export type DataProductDescriptor = z.infer<typeof DataProductDescriptor>;
export type DataProductDescriptorInput = z.input<typeof DataProductDescriptor>;

/**
 * Why a custom SQL rule is not one read-only SELECT, or null. This is the early,
 * readable check; the real guard is that the engine runs it in a READ ONLY transaction.
 */
export function readOnlySelectProblem(query: string): string | null {
  const text = query
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^']|'')*'/g, "''")
    .trim()
    .replace(/;\s*$/, '');
  if (text.includes(';')) return 'expected a single SQL statement, got several (remove the ";" between them)';
  if (!/^(select|with)\b/i.test(text)) return `expected a SELECT (or WITH ... SELECT) statement, got one starting with "${text.split(/\s+/)[0]}"`;
  const writes = text.match(/\b(insert|update|delete|merge|truncate|drop|alter|create|grant|revoke|copy|call|do|vacuum|lock|set|reset|into)\b/i);
  if (writes) return `expected a read-only query, got one containing ${writes[1].toUpperCase()}`;
  return null;
}

// ---- errors naming the key path -------------------------------------------------------------------

function pathOf(path: PropertyKey[]): string {
  let text = '';
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : `${text ? '.' : ''}${String(key)}`;
  return text || '(root)';
}

/** One readable line per issue, each starting with the key path (under `prefix`). */
export function describeIssues(issues: z.core.$ZodIssue[], prefix: PropertyKey[] = []): string[] {
  return issues.map((issue) => describeIssue({ ...issue, path: [...prefix, ...issue.path] } as z.core.$ZodIssue));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = pathOf(issue.path);
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const prefix = issue.path.length ? `${path}.` : '';
      return `${issue.keys.map((key) => `${prefix}${key}`).join(', ')}: unknown key${issue.keys.length > 1 ? 's' : ''}`;
    }
    case 'invalid_type':
      if (input === undefined) return `${path}: required (expected ${issue.expected})`;
      // A message the schema wrote itself says more than the generic one.
      if (!issue.message.startsWith('Invalid input')) return `${path}: ${issue.message}`;
      return `${path}: expected ${issue.expected}, got ${show(input)}`;
    case 'invalid_value':
      if (input === undefined) return `${path}: required (expected one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')})`;
      return `${path}: expected ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}`}, got ${show(input)}`;
    case 'invalid_union': {
      const union = issue as { discriminator?: string; options?: unknown[] };
      if (union.discriminator) {
        const given = input && typeof input === 'object' ? (input as Record<string, unknown>)[union.discriminator] : undefined;
        return `${path}: expected one of ${(union.options ?? []).map((o) => JSON.stringify(o)).join(' | ')}, got ${show(given)}`;
      }
      return `${path}: ${issue.message}`;
    }
    case 'invalid_key':
      return `${path}: ${issue.issues[0]?.message ?? issue.message}`;
    case 'too_small':
    case 'too_big':
      return `${path}: ${issue.message.replace(/^Too (small|big): /, '')}${typeof input === 'number' ? `, got ${input}` : ''}`;
    default:
      return `${path}: ${issue.message}`;
  }
}

/** One problem with a descriptor: `message` starts with the key path; `line` is where it is in the YAML, when known. */
export type DescriptorProblem = { message: string; path: PropertyKey[]; line?: number };

export type DescriptorOutcome =
  | { ok: true; descriptor: DataProductDescriptor; file: string; raw: unknown }
  | { ok: false; errors: string[]; problems: DescriptorProblem[]; file: string; raw?: unknown };

function failure(file: string, problems: DescriptorProblem[], raw?: unknown): DescriptorOutcome {
  return { ok: false, errors: problems.map((problem) => problem.message), problems, file, ...(raw !== undefined ? { raw } : {}) };
}

/** Validates an already-parsed descriptor (for example from YAML); `file` only labels errors. */
export function parseDescriptor(raw: unknown, file = 'dataproduct.yaml', lineOf?: (path: PropertyKey[]) => number | undefined): DescriptorOutcome {
  const result = DataProductDescriptor.safeParse(raw ?? {}, { reportInput: true });
  if (result.success) return { ok: true, descriptor: result.data, file, raw };
  const problems = result.error.issues.map((issue) => {
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
    return { message: describeIssue(issue), path, line: lineOf?.(path) };
  });
  return failure(file, problems, raw);
}

/** Parses YAML text and validates it; every problem carries its line. */
export function parseDescriptorYaml(text: string, file = 'dataproduct.yaml'): DescriptorOutcome {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter });
  if (document.errors.length) {
    return failure(
      file,
      document.errors.map((error) => {
        const line = error.linePos?.[0].line;
        const message = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        return { message: `(yaml): ${message}${line ? ` at line ${line}` : ''}`, path: [], line };
      }),
    );
  }
  // The line of the deepest node along the path that exists (a missing key points at its parent).
  const lineOf = (path: PropertyKey[]) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = document.getIn(path.slice(0, depth) as (string | number)[], true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) {
        return lineCounter.linePos(node.range[0]).line;
      }
    }
    return undefined;
  };
  return parseDescriptor(document.toJS(), file, lineOf);
}

export const DESCRIPTOR_FILE = 'dataproduct.yaml';

/** Loads `<dir>/dataproduct.yaml`. Never throws for a missing or bad file: the outcome says what is wrong. */
export function loadDescriptor(dir: string): DescriptorOutcome {
  const file = join(dir, DESCRIPTOR_FILE);
  if (!existsSync(file)) return failure(file, [{ message: `(file): ${DESCRIPTOR_FILE} not found in ${dir}; every data product needs one (see subgraphs/templates/domain/)`, path: [] }]);
  return parseDescriptorYaml(readFileSync(file, 'utf8'), file);
}

/** The published JSON Schema of the descriptor (what editors validate dataproduct.yaml against). */
export function descriptorJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(DataProductDescriptor, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: 'https://meshgate.dev/schemas/dataproduct.schema.json',
    title: 'meshgate data product descriptor (dataproduct.yaml)',
    description: 'Generated from subgraphs/lib/descriptor.ts by `npm run export -- json-schema`; do not edit by hand.',
    ...Object.fromEntries(Object.entries(schema).filter(([key]) => key !== '$schema')),
  };
}
