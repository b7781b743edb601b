import type { ASTVisitor } from 'graphql';
import type { LintContext } from '..';
import { lineMatching } from '../facts';

/** Every data product has a dataproduct.yaml that matches the descriptor schema and belongs to this subgraph. */
export function DescriptorValidRule(context: LintContext): ASTVisitor {
  return {
    Document() {
      const outcome = context.descriptor;
      if (!outcome.ok) {
        for (const problem of outcome.problems) {
          // Owner problems are OwnerContactRule's to report, with its own advice.
          if (problem.path[0] === 'owner') continue;
          context.report({ message: problem.message, file: outcome.file, line: problem.line });
        }
        return;
      }
      const { descriptor } = outcome;
      if (descriptor.domain !== context.domain) {
        context.report({
          message: `domain: expected "${context.domain}" (the subgraph's name and database schema), got "${descriptor.domain}"`,
          file: outcome.file,
          line: lineMatching(context.descriptorText, /^domain:/),
        });
      }
    },
  };
}
