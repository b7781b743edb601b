import type { ASTVisitor } from 'graphql';
import type { LintContext } from '..';
import { lineMatching } from '../facts';

/** A product declares quality rules, at least one of them an error, and a freshness rule that measures its freshness SLA. */
export function QualityRulesPresentRule(context: LintContext): ASTVisitor {
  return {
    Document() {
      if (!context.descriptor.ok) return;
      const { quality, sla } = context.descriptor.descriptor;
      const file = context.descriptorFile;
      const line = lineMatching(context.descriptorText, /^quality:/);
      if (quality.rules.length === 0) {
        context.report({ severity: 'warning', file, line, message: 'quality: no rules; without them the catalog shows no quality score for this product' });
        return;
      }
      if (!quality.rules.some((rule) => rule.severity === 'error')) {
        context.report({ severity: 'warning', file, line, message: 'quality: every rule is a warning; make the rules the contract depends on errors' });
      }
      if (!quality.rules.some((rule) => rule.type === 'freshness')) {
        context.report({ severity: 'warning', file, line, message: `quality: no freshness rule, so sla.freshness (${sla.freshness}) is never measured` });
      }
    },
  };
}
