/**
 * The rules that federation's authorization directives stand for, written as
 * graphql-shield rules so they combine with the policy files' rules.
 */
import { and, or, rule } from 'graphql-shield';
import type { MeshContext } from '../context';
import type { ShieldRule } from './ruleTree';

export const authenticatedDirective = rule('@authenticated', { cache: 'contextual' })(
  (_parent, _args, context: MeshContext) => context.principal.kind !== 'anonymous' || 'authentication required (@authenticated)',
);

/** `@requiresScopes(scopes: [["a", "b"], ["c"]])`: the principal holds a and b, or c. */
export function requiresScopesDirective(alternatives: string[][]): ShieldRule {
  const label = alternatives.map((set) => set.join(' & ')).join(' | ');
  return rule(`@requiresScopes(${label})`, { cache: 'contextual' })((_parent, _args, context: MeshContext) => {
    const held = new Set(context.principal.scopes);
    return alternatives.some((set) => set.every((scope) => held.has(scope))) || `requires scope ${label}`;
  });
}

/** `@policy(policies: [["p1", "p2"], ["p3"]])`: named rules of the global policy, p1 and p2, or p3. */
export function policyDirective(alternatives: string[][], named: Record<string, ShieldRule>): ShieldRule {
  const toRule = (name: string): ShieldRule =>
    named[name] ?? rule(`@policy(${name})`)(() => `policy "${name}" is not defined in policies/global.ts`);
  return or(...alternatives.map((set) => and(...set.map(toRule))));
}
