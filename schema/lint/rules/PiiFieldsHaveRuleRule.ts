import type { ASTVisitor } from 'graphql';
import type { LintContext } from '..';
import { escapeRegExp, fieldCoordinatesOf, lineMatching, piiFieldsOf } from '../facts';

/** Every field that holds personal data is guarded by an authorization rule. */
export function PiiFieldsHaveRuleRule(context: LintContext): ASTVisitor {
  return {
    Document() {
      const marked = piiFieldsOf(context.typeDefs);
      const declared = context.descriptor.ok ? context.descriptor.descriptor.pii : {};
      const defined = fieldCoordinatesOf(context.typeDefs);
      const personal = new Set([...marked.keys(), ...Object.keys(declared).filter((coordinate) => defined.has(coordinate))]);
      for (const coordinate of personal) {
        const [typeName, fieldName] = coordinate.split('.');
        if (context.piiCoverage(typeName, fieldName).covered) continue;
        const category = marked.get(coordinate)?.category ?? declared[coordinate];
        const node = marked.get(coordinate)?.node;
        context.report({
          coordinate,
          ...(node ? { node } : { file: context.descriptorFile, line: lineMatching(context.descriptorText, new RegExp(`^\\s+${escapeRegExp(coordinate)}:`)) }),
          message: `${coordinate} holds personal data (${category}) but no authorization rule covers it: mark it @pii so the global policy guards it, or add a rule in policies/${context.domain}.ts`,
        });
      }
    },
  };
}
