/**
 * The check a domain team runs before shipping its subgraph (and CI runs on
 * every change): compose it with every other domain (the candidate replaces the
 * domain of the same name), lint the governance rules, and compare the result
 * with the current supergraph for breaking changes.
 *
 * Contract: `checkSubgraph` never throws for a bad subgraph and never writes a
 * file; everything it finds is data in the report. Only the command line
 * (checkCli.ts) prints it and turns errors into an exit code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { DEFAULT_PORTS, domains as registeredDomains } from '../subgraphs';
import type { SubgraphDefinition } from '../subgraphs/lib/subgraph';
import { apiSchemaOf, findSchemaChanges, type SchemaChange } from './breakingChanges';
import { brokenOperations, describeOperation, usageOf } from './officialOperationUsage';
import type { OfficialOperation } from '../gateway/src/operations/officialOperations';
import { composeSupergraph } from './compose';
import { lintRules, lintSubgraph, ruleName, type LintIssue, type PiiCoverage } from './lint';
import meshPolicies from '../policies';
import { isAuthenticated } from '../policies/rules';
import { lookupRule } from '../gateway/src/authorization/policy';
import { isAllowRule } from '../gateway/src/authorization/ruleTree';

export const DEFAULT_BASELINE = join(__dirname, 'supergraph.graphql');

export type CheckProblem = {
  severity: 'error' | 'warning';
  source: 'setup' | 'composition' | 'lint' | 'breaking-change' | 'official-operations';
  /** The composition error code, lint rule or breaking-change kind. */
  code: string;
  message: string;
  coordinate?: string;
  file?: string;
  line?: number;
};

export type CheckReport = {
  subgraph: string;
  dir: string;
  /** True when there are no errors (warnings are allowed). */
  ok: boolean;
  errors: number;
  warnings: number;
  composition: { ok: boolean; with: string[]; errors: string[]; hints: string[] };
  lint: { rules: string[]; issues: LintIssue[] };
  breakingChanges: { baseline: string | null; checked: boolean; changes: SchemaChange[] };
  /** How many official operations were checked as known usage (undefined when none were given). */
  officialOperations?: number;
  /** Every finding, errors first. */
  problems: CheckProblem[];
};

export type CheckOptions = {
  /** The other domains to compose with; defaults to the registry in subgraphs/index.ts. */
  domains?: SubgraphDefinition<any>[];
  /** The current supergraph to find breaking changes against; null skips that step. */
  baseline?: string | null;
  /** The subgraph URLs used in the composed supergraph, so it compares equal to `npm run compose`'s. */
  ports?: Record<string, number>;
  /** Which authorization rule guards a field; see schema/lint. */
  piiCoverage?: PiiCoverage;
  /** Fields a policy guards more strictly than "any signed-in principal"; defaults to reading policies/<domain>.ts. */
  protectedField?: (typeName: string, fieldName: string) => boolean;
  /**
   * The official operations (operations/), as known usage: a change that breaks one is an error naming it and its
   * owner; a removed field none of them uses is a warning. Without them, every breaking change is an error.
   */
  officialOperations?: readonly OfficialOperation[];
};

/**
 * A field is protected by the domain's policy when its rule is stronger than the baseline every type starts
 * from (`isAuthenticated`) and not `allow`: arguments that read it must say so (ArgumentsDeclareWhatTheyRead).
 */
export function policyProtection(domain: string) {
  const policy = meshPolicies.domains.find((candidate) => candidate.domain === domain);
  return (typeName: string, fieldName: string) => {
    const found = policy && lookupRule(policy.rules, typeName, fieldName);
    return Boolean(found && found.rule !== isAuthenticated && !isAllowRule(found.rule));
  };
}

const urlFor = (name: string, ports: Record<string, number>) => `http://127.0.0.1:${ports[name] ?? 0}/graphql`;

function summarize(report: Omit<CheckReport, 'ok' | 'errors' | 'warnings'>): CheckReport {
  const problems = [...report.problems.filter((p) => p.severity === 'error'), ...report.problems.filter((p) => p.severity === 'warning')];
  const errors = problems.filter((p) => p.severity === 'error').length;
  return { ...report, problems, ok: errors === 0, errors, warnings: problems.length - errors };
}

/** Checks the subgraph in `dir` (its folder name is the domain name). */
export function checkSubgraph(dir: string, options: CheckOptions = {}): CheckReport {
  const domains = options.domains ?? registeredDomains;
  const ports = options.ports ?? DEFAULT_PORTS;
  const absolute = resolve(dir);
  const name = basename(absolute);
  const others = domains.filter((domain) => domain.name !== name);
  const problems: CheckProblem[] = [];
  const report = {
    subgraph: name,
    dir: absolute,
    composition: { ok: false, with: others.map((domain) => domain.name), errors: [] as string[], hints: [] as string[] },
    lint: { rules: lintRules.map(ruleName), issues: [] as LintIssue[] },
    breakingChanges: { baseline: options.baseline === undefined ? DEFAULT_BASELINE : options.baseline, checked: false, changes: [] as SchemaChange[] },
    officialOperations: options.officialOperations?.length,
    problems,
  };

  const schemaFile = join(absolute, 'schema.graphql');
  if (!existsSync(schemaFile)) {
    problems.push({ severity: 'error', source: 'setup', code: 'NO_SCHEMA', message: `${relative(process.cwd(), schemaFile)} not found: is ${dir} a subgraph folder?` });
    return summarize(report);
  }
  let typeDefs: DocumentNode;
  try {
    typeDefs = parse(readFileSync(schemaFile, 'utf8'));
  } catch (error) {
    const located = error as { message: string; locations?: { line: number }[] };
    problems.push({ severity: 'error', source: 'setup', code: 'SCHEMA_SYNTAX', message: located.message, file: schemaFile, line: located.locations?.[0]?.line });
    return summarize(report);
  }

  // 1. Composition with every other domain.
  const outcome = composeSupergraph([
    ...others.map((domain) => ({ name: domain.name, url: urlFor(domain.name, ports), typeDefs: domain.typeDefs })),
    { name, url: urlFor(name, ports), typeDefs },
  ]);
  report.composition.ok = outcome.ok;
  report.composition.hints = outcome.hints;
  let supergraph: GraphQLSchema | undefined;
  if (outcome.ok) {
    supergraph = apiSchemaOf(outcome.supergraphSdl);
  } else {
    report.composition.errors = outcome.errors;
    for (const error of outcome.errors) {
      const [code, ...rest] = error.split(': ');
      problems.push({ severity: 'error', source: 'composition', code, message: rest.join(': ') });
    }
  }
  // Hints about this subgraph are worth a look; hints about the others are their teams' business.
  for (const hint of outcome.hints.filter((text) => text.includes(`"${name}"`))) {
    const [code, ...rest] = hint.split(': ');
    problems.push({ severity: 'warning', source: 'composition', code, message: rest.join(': ') });
  }

  // 2. Governance lint.
  report.lint.issues = lintSubgraph({ domain: name, dir: absolute, typeDefs, supergraph, otherDomains: others.map((d) => d.name), piiCoverage: options.piiCoverage, protectedField: options.protectedField ?? policyProtection(name) });
  for (const issue of report.lint.issues) {
    problems.push({ severity: issue.severity, source: 'lint', code: issue.rule, message: issue.message, coordinate: issue.coordinate, file: issue.file, line: issue.line });
  }

  // 3. Breaking changes against the current supergraph.
  const baseline = report.breakingChanges.baseline;
  if (baseline !== null && outcome.ok) {
    if (!existsSync(baseline)) {
      problems.push({ severity: 'warning', source: 'breaking-change', code: 'NO_BASELINE', message: `${baseline} not found: breaking changes not checked (run npm run compose to create it)` });
    } else {
      try {
        const baselineSdl = readFileSync(baseline, 'utf8');
        const changes = findSchemaChanges(baselineSdl, outcome.supergraphSdl);
        report.breakingChanges.checked = true;
        report.breakingChanges.changes = changes;
        const usage = options.officialOperations && usageOf(options.officialOperations, apiSchemaOf(baselineSdl));
        for (const change of changes) {
          const ours = change.subgraphs.length === 0 || change.subgraphs.includes(name);
          const users = usage?.get(change.coordinate) ?? [];
          // Official operations are the usage the check knows: a removed field none of them selects breaks no known client.
          const unused = usage && ours && users.length === 0 && change.kind === 'field-removed' && change.severity === 'error';
          const known = users.length ? ` It breaks official operation${users.length > 1 ? 's' : ''} ${users.map(describeOperation).join(', ')}.` : unused ? ' No official operation uses it.' : '';
          problems.push({
            // Someone else's change means the baseline is stale, not that this subgraph breaks clients.
            severity: ours && !unused ? change.severity : 'warning',
            source: 'breaking-change',
            code: change.kind,
            coordinate: change.coordinate,
            message: ours
              ? `${change.message}${known}`
              : `${change.message} (from ${change.subgraphs.join(', ')}, not ${name}: ${relative(process.cwd(), baseline)} is out of date; run npm run compose)`,
          });
        }
      } catch (error) {
        problems.push({ severity: 'warning', source: 'breaking-change', code: 'BAD_BASELINE', message: `${baseline} could not be read as a supergraph: ${(error as Error).message.split('\n')[0]}` });
      }
    }
  } else if (baseline !== null) {
    problems.push({ severity: 'warning', source: 'breaking-change', code: 'SKIPPED', message: 'breaking changes not checked: the subgraph does not compose' });
  }

  // 4. Every official operation still validates against the candidate supergraph, baseline or not.
  if (supergraph && options.officialOperations) {
    for (const { operation, errors } of brokenOperations(options.officialOperations, supergraph)) {
      problems.push({ severity: 'error', source: 'official-operations', code: 'OFFICIAL_OPERATION_BROKEN', message: `Official operation ${describeOperation(operation)} no longer validates: ${errors.join(' ')}` });
    }
  }
  return summarize(report);
}

// ---- human-readable output ------------------------------------------------------------------------

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

function where(problem: CheckProblem, cwd: string): string {
  if (!problem.file) return '';
  return `${relative(cwd, problem.file)}${problem.line ? `:${problem.line}` : ''}  `;
}

/** The report as text: one line per step, then errors and warnings grouped, then a summary line. */
export function formatCheckReport(report: CheckReport, cwd = process.cwd()): string {
  const lines: string[] = [`meshgate check: ${report.subgraph} (${relative(cwd, report.dir) || '.'})`, ''];
  const count = (source: CheckProblem['source'], severity: 'error' | 'warning') => report.problems.filter((p) => p.source === source && p.severity === severity).length;
  const status = (source: CheckProblem['source'], okText: string) => {
    const errors = count(source, 'error');
    const warnings = count(source, 'warning');
    if (errors) return `FAILED: ${plural(errors, 'error')}${warnings ? `, ${plural(warnings, 'warning')}` : ''}`;
    return `ok: ${okText}${warnings ? ` (${plural(warnings, 'warning')})` : ''}`;
  };
  const setup = report.problems.filter((p) => p.source === 'setup');
  if (setup.length === 0) {
    lines.push(`  composition       ${status('composition', `composes with ${report.composition.with.join(', ')}`)}`);
    lines.push(`  governance lint   ${status('lint', `${report.lint.rules.length} rules`)}`);
    const baseline = report.breakingChanges.baseline ? relative(cwd, report.breakingChanges.baseline) : null;
    lines.push(
      `  breaking changes  ${
        baseline === null ? 'skipped' : report.breakingChanges.checked ? status('breaking-change', `none against ${baseline}`) : status('breaking-change', 'not checked')
      }`,
    );
    if (report.officialOperations !== undefined) lines.push(`  official ops      ${status('official-operations', `${report.officialOperations} still validate`)}`);
    lines.push('');
  }
  for (const severity of ['error', 'warning'] as const) {
    const group = report.problems.filter((p) => p.severity === severity);
    if (group.length === 0) continue;
    lines.push(`${severity === 'error' ? 'Errors' : 'Warnings'} (${group.length})`);
    for (const problem of group) {
      lines.push(`  ${severity === 'error' ? '✖' : '!'} [${problem.source} ${problem.code}] ${where(problem, cwd)}${problem.message}`);
    }
    lines.push('');
  }
  lines.push(
    report.ok
      ? `✔ ${report.subgraph}: ${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}. Ready to ship.`
      : `✖ ${report.subgraph}: ${plural(report.errors, 'error')}, ${plural(report.warnings, 'warning')}. Fix the errors before shipping.`,
  );
  return lines.join('\n');
}
