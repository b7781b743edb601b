/**
 * Governance lint for one subgraph: the rules every data product inherits.
 * Each rule is one file in rules/, shaped like a graphql-js validation rule:
 * `(context) => ASTVisitor`, reporting through `context.report`. Rules about the
 * descriptor or tables.sql do their work in `Document`, once per subgraph.
 *
 * Contract: linting never throws for a bad subgraph; every finding is data
 * (`LintIssue`), and only the command line turns errors into an exit code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { visit, visitInParallel, type ASTNode, type ASTVisitor, type DocumentNode, type GraphQLSchema } from 'graphql';
import { loadDescriptor, type DescriptorOutcome } from '../../subgraphs/lib/descriptor';
import { lineOf, piiFieldsOf } from './facts';
import { DescriptorValidRule } from './rules/DescriptorValidRule';
import { OwnerContactRule } from './rules/OwnerContactRule';
import { PiiClassificationMatchesRule } from './rules/PiiClassificationMatchesRule';
import { PiiFieldsHaveRuleRule } from './rules/PiiFieldsHaveRuleRule';
import { ArgumentsDeclareWhatTheyReadRule } from './rules/ArgumentsDeclareWhatTheyReadRule';
import { DescriptionsRequiredRule } from './rules/DescriptionsRequiredRule';
import { DeprecationReasonRule } from './rules/DeprecationReasonRule';
import { CutListsSayWhenCutRule } from './rules/CutListsSayWhenCutRule';
import { NamingConventionsRule } from './rules/NamingConventionsRule';
import { QualityRulesOwnDataRule } from './rules/QualityRulesOwnDataRule';
import { QualityRulesPresentRule } from './rules/QualityRulesPresentRule';

export type LintSeverity = 'error' | 'warning';

export type LintIssue = {
  /** The rule's name, for example `DescriptionsRequired`. */
  rule: string;
  severity: LintSeverity;
  message: string;
  /** The schema coordinate it is about (`Customer.email`), when there is one. */
  coordinate?: string;
  /** Where to fix it: a file, and a line when known. */
  file?: string;
  line?: number;
};

/**
 * Which authorization rule guards a field, if any. The policies in policies/ answer
 * this for real; `defaultPiiCoverage` stands in until they do.
 */
export type PiiCoverage = (typeName: string, fieldName: string) => { covered: boolean; rule?: string };

export type LintInput = {
  /** The domain (subgraph) name. */
  domain: string;
  /** The subgraph's folder. */
  dir: string;
  typeDefs: DocumentNode;
  /** Defaults to loading `<dir>/dataproduct.yaml`. */
  descriptor?: DescriptorOutcome;
  /** Defaults to reading `<dir>/tables.sql` (null when there is none). */
  tablesSql?: string | null;
  /** The other domains' names: their schemas are off limits to this domain's quality rules. */
  otherDomains?: string[];
  /** The composed API schema including this subgraph, when composition succeeded. */
  supergraph?: GraphQLSchema;
  /** Defaults to `defaultPiiCoverage(typeDefs)`. */
  piiCoverage?: PiiCoverage;
  /**
   * Fields guarded more strictly than their type by something the schema does not show (a policy rule);
   * PII and authorization directives count as protected without it. Defaults to none.
   */
  protectedField?: (typeName: string, fieldName: string) => boolean;
  /** Defaults to every rule in `lintRules`. */
  rules?: LintRule[];
  /** The descriptor's text, for line numbers; defaults to reading the descriptor's file. */
  descriptorText?: string;
};

export type LintContext = Required<Omit<LintInput, 'supergraph' | 'rules' | 'descriptorText'>> & {
  supergraph?: GraphQLSchema;
  schemaFile: string;
  descriptorFile: string;
  /** The descriptor's text, for line numbers in findings; undefined when there is no file. */
  descriptorText?: string;
  /** Reports a finding; `node` (in schema.graphql) gives the line. Severity defaults to error. */
  report(issue: { message: string; severity?: LintSeverity; coordinate?: string; node?: ASTNode; file?: string; line?: number }): void;
};

export type LintRule = ((context: LintContext) => ASTVisitor) & { ruleName?: string };

/** Every governance rule, in the order findings are listed. */
export const lintRules: LintRule[] = [
  DescriptorValidRule,
  OwnerContactRule,
  PiiClassificationMatchesRule,
  PiiFieldsHaveRuleRule,
  ArgumentsDeclareWhatTheyReadRule,
  DescriptionsRequiredRule,
  DeprecationReasonRule,
  CutListsSayWhenCutRule,
  NamingConventionsRule,
  QualityRulesOwnDataRule,
  QualityRulesPresentRule,
];

export const ruleName = (rule: LintRule) => rule.ruleName ?? rule.name.replace(/Rule$/, '');

/**
 * The stand-in for the policies: a field is covered when it is marked with the PII
 * directive in the schema, because the global policy guards every such field
 * (it needs the `pii:read` scope). A field classified PII only in dataproduct.yaml
 * is not counted as covered here: the gateway guards it from the descriptor only when
 * the schema marks no field @pii (see gateway/src/authorization/compilePolicy.ts), and
 * PiiClassificationMatches asks for the directive anyway.
 */
export function defaultPiiCoverage(typeDefs: DocumentNode): PiiCoverage {
  const marked = piiFieldsOf(typeDefs);
  return (typeName, fieldName) =>
    marked.has(`${typeName}.${fieldName}`) ? { covered: true, rule: 'global: fields marked @pii need the pii:read scope' } : { covered: false };
}

/** Runs the rules over one subgraph and returns the findings, errors first. */
export function lintSubgraph(input: LintInput): LintIssue[] {
  const schemaFile = join(input.dir, 'schema.graphql');
  const tablesFile = join(input.dir, 'tables.sql');
  const descriptor = input.descriptor ?? loadDescriptor(input.dir);
  const base = {
    domain: input.domain,
    dir: input.dir,
    typeDefs: input.typeDefs,
    descriptor,
    tablesSql: input.tablesSql !== undefined ? input.tablesSql : existsSync(tablesFile) ? readFileSync(tablesFile, 'utf8') : null,
    otherDomains: input.otherDomains ?? [],
    supergraph: input.supergraph,
    piiCoverage: input.piiCoverage ?? defaultPiiCoverage(input.typeDefs),
    protectedField: input.protectedField ?? (() => false),
    schemaFile,
    descriptorFile: descriptor.file,
    descriptorText: input.descriptorText ?? (existsSync(descriptor.file) ? readFileSync(descriptor.file, 'utf8') : undefined),
  };
  const issues: LintIssue[] = [];
  const visitors = (input.rules ?? lintRules).map((rule) =>
    rule({
      ...base,
      report({ message, severity = 'error', coordinate, node, file, line }) {
        const at = line ?? lineOf(node);
        issues.push({
          rule: ruleName(rule),
          severity,
          message,
          ...(coordinate ? { coordinate } : {}),
          file: file ?? (node ? schemaFile : undefined),
          ...(at !== undefined ? { line: at } : {}),
        });
      },
    }),
  );
  visit(input.typeDefs, visitInParallel(visitors));
  return [...issues.filter((issue) => issue.severity === 'error'), ...issues.filter((issue) => issue.severity === 'warning')];
}
