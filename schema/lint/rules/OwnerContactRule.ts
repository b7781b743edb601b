import type { ASTVisitor } from 'graphql';
import { describeIssues, Owner } from '../../../subgraphs/lib/descriptor';
import type { LintContext } from '..';
import { lineMatching } from '../facts';

/** Every data product names the team that owns it and a contact where that team answers. */
export function OwnerContactRule(context: LintContext): ASTVisitor {
  return {
    Document() {
      const { raw, file } = context.descriptor;
      // No file, or YAML that does not parse: DescriptorValidRule says so.
      if (raw === undefined || raw === null || typeof raw !== 'object') return;
      const owner = (raw as Record<string, unknown>).owner;
      const line = lineMatching(context.descriptorText, /^owner:/);
      if (owner === undefined) {
        context.report({ message: 'owner: missing; name the owning team and a contact, e.g. owner: { team: Sales Domain Team, contact: sales-team@example.com }', file });
        return;
      }
      const result = Owner.safeParse(owner, { reportInput: true });
      if (result.success) return;
      for (const message of describeIssues(result.error.issues, ['owner'])) context.report({ message, file, line });
    },
  };
}
