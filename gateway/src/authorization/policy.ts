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
  /** Row scopes on the entities this domain owns; they govern fields of every domain (see RowScope). */
  rowScopes?: RowScope[];
};

/**
 * A row-level scope, declared once for an entity by the domain that owns it:
 * for the principals it applies to, a row of the entity, and every row that
 * belongs to it, is readable only when the owner test passes on the entity.
 *
 * What it covers is derived from the supergraph, so a domain that adds a field
 * cannot forget it: every field of the entity, in any domain, except its keys
 * and `publicFields`; and in every entity type that belongs to it (an entity
 * with a field returning it, or returning an entity that belongs to it:
 * `Transaction.customer`, `Payment.order` → `Order.customer`), the personal
 * data (fields classified PII, and fields leading to non-entity types that hold
 * PII) plus `alsoCovers`.
 */
export type RowScope = {
  kind: 'rowScope';
  /** Names the scope in denials and audit records: `<domain>:rowScope(<name>)`. */
  name: string;
  /** The entity type the scope is declared on (`Customer`). */
  entity: string;
  /** Which principals the scope binds: a rule on the principal alone (no fragment). Others are not row-checked. */
  appliesTo: ShieldRule;
  /**
   * The owner test on the entity: a graphql-shield rule with a `fragment` on the entity naming the
   * fields it reads (`... on Customer { accountManager }`). It runs once per distinct owner per request.
   */
  owner: ShieldRule;
  /** Fields of the entity every principal who may read them sees on every row (its keys always are). */
  publicFields?: string[];
  /** Links the supergraph does not show (`Type.field` returning the entity or a type that belongs to it), or the one that decides where a type has several. */
  belongsThrough?: string[];
  /** Links the supergraph shows that do not make their type belong to the entity. */
  notThrough?: string[];
  /** Fields of belonging types the scope covers besides their personal data (`Order.lines`). */
  alsoCovers?: string[];
};

export function defineRowScope(scope: Omit<RowScope, 'kind'>): RowScope {
  return { kind: 'rowScope', ...scope };
}

export function defineGlobalPolicy(policy: Omit<GlobalPolicy, 'kind'>): GlobalPolicy {
  return { kind: 'global', ...policy };
}

export function defineDomainPolicy(domain: string, rules: RuleMap, options: { rowScopes?: RowScope[] } = {}): DomainPolicy {
  return { kind: 'domain', domain, rules, rowScopes: options.rowScopes ?? [] };
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
