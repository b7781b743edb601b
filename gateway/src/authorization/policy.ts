/**
 * The shape of policies as code. Rules use graphql-shield's vocabulary; a rule
 * map is shield's rule tree: `{ Type: rule }` or `{ Type: { field: rule, '*': rule } }`.
 * A type key may be a suffix pattern such as `'*Connection'`; an exact type
 * name wins over a pattern, and a field name over `'*'`.
 */
import type { ShieldRule } from './ruleTree';

export type RuleMap = Record<string, ShieldRule | Record<string, ShieldRule>>;

export type GlobalPolicy = {
  kind: 'global';
  /** Applies to fields no policy covers. Deny by default: graphql-shield's own default, allow, is unsafe. */
  fallbackRule: ShieldRule;
  /** Guards every field classified as PII (`@pii` in a subgraph schema or `pii:` in its descriptor). */
  piiRule: ShieldRule;
  /** Named policies that subgraph schemas reference with `@policy(policies: [["name"]])`. */
  namedPolicies: Record<string, ShieldRule>;
  /** Rules every domain inherits. */
  rules: RuleMap;
};

export type DomainPolicy = {
  kind: 'domain';
  /** The subgraph (domain) whose fields these rules may govern. */
  domain: string;
  rules: RuleMap;
};

export function defineGlobalPolicy(policy: Omit<GlobalPolicy, 'kind'>): GlobalPolicy {
  return { kind: 'global', ...policy };
}

export function defineDomainPolicy(domain: string, rules: RuleMap): DomainPolicy {
  return { kind: 'domain', domain, rules };
}

/** Finds the rule a rule map gives a field: exact type over pattern, exact field over '*'. */
export function lookupRule(rules: RuleMap, typeName: string, fieldName: string): { rule: ShieldRule; key: string } | undefined {
  const typeKeys = [typeName, ...Object.keys(rules).filter((key) => key.startsWith('*') && key.length > 1 && typeName.endsWith(key.slice(1)))];
  for (const typeKey of typeKeys) {
    const entry = rules[typeKey];
    if (!entry) continue;
    if (isRuleEntry(entry)) return { rule: entry, key: `${typeKey}` };
    const fields = entry as Record<string, ShieldRule>;
    if (fields[fieldName]) return { rule: fields[fieldName], key: `${typeKey}.${fieldName}` };
    if (fields['*']) return { rule: fields['*'], key: `${typeKey}.*` };
  }
  return undefined;
}

function isRuleEntry(entry: unknown): entry is ShieldRule {
  return typeof (entry as { resolve?: unknown }).resolve === 'function';
}
