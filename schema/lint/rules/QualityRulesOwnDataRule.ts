import type { ASTVisitor } from 'graphql';
import type { LintContext } from '..';
import { escapeRegExp, lineMatching, parseTables } from '../facts';

const NUMERIC = /^(int|integer|bigint|smallint|numeric|decimal|real|double|float|serial|bigserial)/i;
const TEMPORAL = /^(timestamp|timestamptz|date)/i;

/** Quality rules check only the product's own data: tables and columns that its tables.sql creates, and no other domain's schema. */
export function QualityRulesOwnDataRule(context: LintContext): ASTVisitor {
  return {
    Document() {
      if (!context.descriptor.ok) return;
      const { rules } = context.descriptor.descriptor.quality;
      const tables = context.tablesSql === null ? null : parseTables(context.tablesSql);
      const file = context.descriptorFile;
      for (const rule of rules) {
        const line = lineMatching(context.descriptorText, new RegExp(`name:\\s*["']?${escapeRegExp(rule.name)}["']?\\s*$`));
        const report = (message: string) => context.report({ message: `quality rule ${rule.name}: ${message}`, file, line });
        if (rule.type === 'sql') {
          for (const other of context.otherDomains) {
            if (new RegExp(`\\b${escapeRegExp(other)}\\s*\\.\\s*[a-z_"]`, 'i').test(rule.query)) {
              report(`reads the ${other} domain's schema; a product's rules check only its own tables (ask ${other} for a rule in its product instead)`);
            }
          }
          continue;
        }
        // A model rule reads the product's own tables through the model's evaluator, not a named table.
        if (rule.type === 'model') continue;
        if (tables === null) {
          report(`names table ${rule.table}, but ${context.domain} has no tables.sql to check it against`);
          continue;
        }
        const name = rule.table.split('.').pop()!;
        const table = tables.get(name);
        if (!table) {
          report(`table ${rule.table} is not created by tables.sql (it creates ${[...tables.keys()].join(', ') || 'no tables'})`);
          continue;
        }
        if (!('column' in rule)) continue;
        const type = table.columns.get(rule.column);
        if (type === undefined) {
          report(`column ${rule.column} is not a column of ${name} (it has ${[...table.columns.keys()].join(', ')})`);
        } else if (rule.type === 'range' && !NUMERIC.test(type)) {
          report(`a range rule needs a numeric column; ${name}.${rule.column} is ${type.split(/\s+/)[0]}`);
        } else if (rule.type === 'freshness' && !TEMPORAL.test(type)) {
          report(`a freshness rule needs a timestamp or date column; ${name}.${rule.column} is ${type.split(/\s+/)[0]}`);
        }
      }
    },
  };
}
