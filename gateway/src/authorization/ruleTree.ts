/**
 * Evaluates graphql-shield rule objects outside graphql-shield's middleware,
 * which cannot run at a gateway (it wraps schema resolvers; a gateway executes
 * query plans). Shield's own semantics are kept: `and` needs every rule,
 * `or` any, `chain`/`race` are their short-circuit forms, `not` negates, a rule
 * result of `false`, a string or an Error denies.
 *
 * Two differences, both on purpose:
 * - a rule that throws denies and is reported (shield would silently deny);
 * - evaluation is three-valued: a rule with a `fragment` needs the parent
 *   object, so before execution it is UNKNOWN, and the combination decides
 *   whether the field can be settled now (allowed or removed from the
 *   operation) or must be checked on each object after execution.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { allow, and, chain, deny, not, or, race, rule } from 'graphql-shield';
import type { ShieldRule } from 'graphql-shield/typings/types';

// graphql-shield exports constructors only; its classes are recovered from instances.
const sample = rule('meshgate:sample')(() => true);
const RuleClass = sample.constructor;
const RuleAnd = and(allow).constructor;
const RuleOr = or(allow).constructor;
const RuleChain = chain(allow).constructor;
const RuleRace = race(allow).constructor;
const RuleNot = not(allow).constructor;
const RuleTrue = allow.constructor;
const RuleFalse = deny.constructor;

export type { ShieldRule };

/** A parent object that is not known yet: rules with a fragment evaluate to UNKNOWN. */
export const UNKNOWN_PARENT = Symbol('unknown parent');

export type Outcome =
  | { kind: 'allow' }
  | { kind: 'deny'; reason: string; failed?: unknown }
  | { kind: 'unknown' };

const ALLOW: Outcome = { kind: 'allow' };
const UNKNOWN: Outcome = { kind: 'unknown' };

export type EvaluationInput = {
  parent: object | typeof UNKNOWN_PARENT;
  args: Record<string, unknown>;
  context: { _shield: { cache: Record<string, unknown> } };
  info: GraphQLResolveInfo;
  /** Called when a rule throws; the rule then denies. */
  onRuleError(ruleName: string, error: unknown): void;
};

type AnyRule = ShieldRule & { name?: string; getRules?: () => ShieldRule[]; extractFragment?: () => string | undefined; error?: Error };

const SHIELD_OPTIONS = { debug: true, allowExternalErrors: false, fallbackRule: allow, fallbackError: new Error('Not Authorised!'), hashFunction: JSON.stringify } as never;

function denial(result: unknown, ruleName: string): Outcome {
  if (result instanceof Error) return { kind: 'deny', reason: result.message };
  if (typeof result === 'string') return { kind: 'deny', reason: result };
  return { kind: 'deny', reason: `denied by rule "${ruleName}"` };
}

export function isRule(value: unknown): value is ShieldRule {
  return value instanceof RuleClass || isLogicRule(value);
}

function isLogicRule(value: unknown): boolean {
  return value instanceof RuleAnd || value instanceof RuleOr || value instanceof RuleChain || value instanceof RuleRace || value instanceof RuleNot || value instanceof RuleTrue || value instanceof RuleFalse;
}

export const isAllowRule = (value: unknown) => value instanceof RuleTrue;

/** The fragments (parent fields) a rule tree reads, from every rule that declares one. */
export function fragmentsOf(ruleTree: ShieldRule): string[] {
  const node = ruleTree as AnyRule;
  if (node instanceof RuleClass) {
    const fragment = node.extractFragment?.();
    return fragment ? [fragment] : [];
  }
  return (node.getRules?.() ?? []).flatMap(fragmentsOf);
}

/** A short readable name for audit records and errors. */
export function ruleName(ruleTree: ShieldRule): string {
  const node = ruleTree as AnyRule;
  if (node instanceof RuleTrue) return 'allow';
  if (node instanceof RuleFalse) return 'deny';
  if (node instanceof RuleClass) return node.name ?? 'rule';
  const children = (node.getRules?.() ?? []).map(ruleName);
  const operator = node instanceof RuleAnd ? 'and' : node instanceof RuleOr ? 'or' : node instanceof RuleChain ? 'chain' : node instanceof RuleRace ? 'race' : 'not';
  return `${operator}(${children.join(', ')})`;
}

export async function evaluateRule(ruleTree: ShieldRule, input: EvaluationInput): Promise<Outcome> {
  const node = ruleTree as AnyRule;
  if (node instanceof RuleTrue) return ALLOW;
  if (node instanceof RuleFalse) return { kind: 'deny', reason: 'denied by rule "deny"' };
  if (node instanceof RuleClass) {
    if (input.parent === UNKNOWN_PARENT && node.extractFragment?.()) return UNKNOWN;
    const parent = input.parent === UNKNOWN_PARENT ? undefined : input.parent;
    try {
      const result = await node.resolve(parent as object, input.args, input.context as never, input.info, SHIELD_OPTIONS);
      return result === true ? ALLOW : denial(result, node.name ?? 'rule');
    } catch (error) {
      input.onRuleError(node.name ?? 'rule', error);
      return { kind: 'deny', reason: `rule "${node.name}" failed`, failed: error };
    }
  }
  const children = node.getRules?.() ?? [];
  if (node instanceof RuleNot) {
    const [inner] = await Promise.all(children.map((child) => evaluateRule(child, input)));
    if (inner.kind === 'unknown') return UNKNOWN;
    if (inner.kind === 'deny') return inner.failed ? inner : ALLOW;
    return { kind: 'deny', reason: node.error?.message ?? `denied by rule "${ruleName(node)}"` };
  }
  const sequential = node instanceof RuleChain || node instanceof RuleRace;
  const wantsAll = node instanceof RuleAnd || node instanceof RuleChain;
  const outcomes: Outcome[] = [];
  if (sequential) {
    for (const child of children) {
      const outcome = await evaluateRule(child, input);
      outcomes.push(outcome);
      if (wantsAll ? outcome.kind === 'deny' : outcome.kind === 'allow') break;
    }
  } else {
    outcomes.push(...(await Promise.all(children.map((child) => evaluateRule(child, input)))));
  }
  if (wantsAll) {
    const denied = outcomes.find((outcome) => outcome.kind === 'deny');
    if (denied) return denied;
    return outcomes.some((outcome) => outcome.kind === 'unknown') ? UNKNOWN : ALLOW;
  }
  if (outcomes.some((outcome) => outcome.kind === 'allow')) return ALLOW;
  if (outcomes.some((outcome) => outcome.kind === 'unknown')) return UNKNOWN;
  return outcomes.find((outcome) => outcome.kind === 'deny') ?? { kind: 'deny', reason: `denied by rule "${ruleName(node)}"` };
}
