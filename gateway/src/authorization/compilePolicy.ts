/**
 * Turns the policy files and the supergraph into one decision table: for every
 * field of the API schema, the rules that must all allow it. Runs at start-up
 * and on every supergraph update; a policy that is wrong for the supergraph
 * (unknown fields, rules on another domain's fields, a domain rule that would
 * widen a global one) is rejected with every problem listed.
 *
 * PII comes from two places, and both drive the same global piiRule: `@pii` in
 * the subgraph schema (in the supergraph) and `pii:` in the subgraph's data
 * product descriptor (the catalog shows both, so both must guard). When they
 * disagree the policy is rejected with the field named: a category that
 * differs, a field marked `@pii` that the descriptor does not classify, or a
 * field classified only in the descriptor of a subgraph whose schema marks PII
 * elsewhere (it states its classification with `@pii`, so silence is a
 * disagreement). A subgraph whose schema marks no field `@pii` states nothing
 * there; its descriptor alone classifies its fields. `@reads` must name fields
 * of the supergraph.
 *
 * Row scopes (rowScopes.ts) add their part to every field they cover, in any
 * domain, after the field's own rules; a scope naming what the supergraph
 * does not have is rejected like any other problem. Last, a field that
 * `@requires` others gets their parts too (requirements.ts).
 */
import { isInterfaceType, isObjectType, parse, type GraphQLSchema, type InlineFragmentNode, type SelectionNode } from 'graphql';
import { authenticatedDirective, policyDirective, requiresScopesDirective } from './builtinRules';
import { lookupRule, type DomainPolicy, type GlobalPolicy, type RuleMap } from './policy';
import { governRequirements } from './requirements';
import { compileRowScopes, type RowSelector } from './rowScopes';
import { fragmentsOf, isAllowRule, isRule, type ShieldRule } from './ruleTree';
import type { ArgumentReads, SupergraphFacts } from './supergraphFacts';

export type RulePart = { label: string; rule: ShieldRule };

export type FieldPolicy = {
  parts: RulePart[];
  /** True when some rule reads the parent object: such fields are checked per object after execution. */
  rowLevel: boolean;
  /** The parent fields row-level rules read, to add to the operation. */
  parentSelections: SelectionNode[];
};

/** A subgraph's PII classification as its data-product descriptor states it (`pii:`, `Type.field: category`). */
export type DescriptorClassification = { subgraph: string; pii: Record<string, string> };

export type CompiledPolicy = {
  forField(typeName: string, fieldName: string): FieldPolicy;
  /** What an argument or input field reads (`@reads`), by schema coordinate: its use is governed by those fields' rules. */
  reads(coordinate: string): ArgumentReads | undefined;
  /** The row scopes an argument reading this field (a link to a scoped entity, or its key) selects rows of (rowScopes.ts). */
  rowSelectors(coordinate: string): RowSelector[];
};

export class PolicyError extends Error {
  constructor(readonly problems: string[]) {
    super(`The authorization policies do not fit the supergraph:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

function parentSelectionsOf(fragments: string[]): SelectionNode[] {
  return fragments.flatMap((fragment) => {
    // graphql-shield fragments look like `... on Customer { accountManager }`.
    const document = parse(`{ ${fragment} }`);
    const [selection] = (document.definitions[0] as unknown as { selectionSet: { selections: SelectionNode[] } }).selectionSet.selections;
    return (selection as InlineFragmentNode).selectionSet.selections;
  });
}

function validateRuleMap(source: string, rules: RuleMap, schema: GraphQLSchema, problems: string[]) {
  for (const [typeKey, entry] of Object.entries(rules)) {
    if (typeKey.startsWith('*')) continue;
    const type = schema.getType(typeKey);
    if (!type || !(isObjectType(type) || isInterfaceType(type))) {
      problems.push(`${source}: type "${typeKey}" is not an object or interface type of the supergraph`);
      continue;
    }
    if (isRule(entry)) continue;
    for (const [fieldName, fieldRule] of Object.entries(entry)) {
      if (fieldName !== '*' && !type.getFields()[fieldName]) problems.push(`${source}: ${typeKey}.${fieldName} is not a field of the supergraph`);
      if (!isRule(fieldRule)) problems.push(`${source}: ${typeKey}.${fieldName} is not a graphql-shield rule`);
    }
  }
}

/**
 * The PII category of every field, from `@pii` or the descriptors; reports every disagreement between them
 * (see the top comment) to `problems`.
 */
function classifyPii(facts: SupergraphFacts, descriptors: DescriptorClassification[], problems: string[]) {
  const fromDescriptors = new Map<string, string>();
  const owned = new Map<string, string[]>();
  for (const [coordinate, field] of facts.fields()) for (const owner of field.owners) (owned.get(owner) ?? owned.set(owner, []).get(owner)!).push(coordinate);
  for (const { subgraph, pii } of descriptors) {
    const fields = owned.get(subgraph) ?? [];
    const marksPii = fields.some((coordinate) => facts.field(...(coordinate.split('.') as [string, string]))?.pii);
    for (const [coordinate, category] of Object.entries(pii)) {
      const [typeName, fieldName] = coordinate.split('.');
      const field = facts.field(typeName, fieldName);
      if (!field?.owners.includes(subgraph)) {
        problems.push(`${coordinate}: the ${subgraph} descriptor (dataproduct.yaml) classifies it as PII (${category}), but the ${subgraph} subgraph serves no such field`);
      } else if (field.pii && field.pii !== category) {
        problems.push(`${coordinate}: @pii says category "${field.pii}", the ${subgraph} descriptor (dataproduct.yaml) says "${category}"; make them agree`);
      } else if (!field.pii && marksPii) {
        problems.push(`${coordinate}: the ${subgraph} descriptor (dataproduct.yaml) classifies it as PII (${category}) but schema.graphql does not mark it @pii; make them agree`);
      }
      const known = fromDescriptors.get(coordinate);
      if (known && known !== category) problems.push(`${coordinate}: two descriptors classify it differently ("${known}", "${category}"); make them agree`);
      fromDescriptors.set(coordinate, known ?? category);
    }
    for (const coordinate of fields) {
      const marked = facts.field(...(coordinate.split('.') as [string, string]))?.pii;
      if (marked && pii[coordinate] === undefined) {
        problems.push(`${coordinate}: marked @pii(category: "${marked}") but the ${subgraph} descriptor (dataproduct.yaml) does not classify it; add "${coordinate}: ${marked}" under pii`);
      }
    }
  }
  return (typeName: string, fieldName: string): string | undefined => facts.field(typeName, fieldName)?.pii ?? fromDescriptors.get(`${typeName}.${fieldName}`);
}

export function compilePolicy(options: {
  global: GlobalPolicy;
  domains: DomainPolicy[];
  schema: GraphQLSchema;
  facts: SupergraphFacts;
  /** The descriptors' PII classifications, of the subgraphs in the supergraph; none when descriptors are unknown (a supergraph file). */
  descriptors?: DescriptorClassification[];
}): CompiledPolicy {
  const { global, domains, schema, facts } = options;
  const problems: string[] = [];
  const piiOf = classifyPii(facts, options.descriptors ?? [], problems);
  for (const [coordinate, { fields, byValue }] of facts.allReads()) {
    for (const read of [...fields, ...Object.values(byValue ?? {}).flat()]) {
      const [typeName, fieldName] = read.split('.');
      if (!facts.field(typeName, fieldName)) problems.push(`${coordinate} @reads "${read}", which is not a field of the supergraph`);
    }
  }
  const domainsByName = new Map<string, DomainPolicy>();
  const subgraphs = new Set([...facts.fields()].flatMap(([, field]) => field.owners));
  validateRuleMap('policies/global.ts', global.rules, schema, problems);
  for (const domain of domains) {
    const source = `policies/${domain.domain}.ts`;
    if (!subgraphs.has(domain.domain)) problems.push(`${source}: "${domain.domain}" is not a subgraph of the supergraph`);
    if (domainsByName.has(domain.domain)) problems.push(`${source}: a second policy for domain "${domain.domain}"`);
    domainsByName.set(domain.domain, domain);
    validateRuleMap(source, domain.rules, schema, problems);
  }
  const { parts: rowScopeParts, selectors: rowSelectors } = compileRowScopes(domains, { schema, facts, piiOf, problems });

  const table = new Map<string, FieldPolicy>();
  const usedDomainKeys = new Map<string, Set<string>>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(isObjectType(type) || isInterfaceType(type)) || type.name.startsWith('__')) continue;
    for (const fieldName of Object.keys(type.getFields())) {
      const fieldFacts = facts.field(type.name, fieldName);
      const parts: RulePart[] = [];
      const globalRule = lookupRule(global.rules, type.name, fieldName);
      if (globalRule) parts.push({ label: `global:${globalRule.key}`, rule: globalRule.rule });
      const pii = piiOf(type.name, fieldName);
      if (pii) parts.push({ label: `global:pii(${pii})`, rule: global.piiRule });
      for (const owner of fieldFacts?.owners ?? []) {
        const domain = domainsByName.get(owner);
        const domainRule = domain && lookupRule(domain.rules, type.name, fieldName);
        if (!domainRule) continue;
        (usedDomainKeys.get(owner) ?? usedDomainKeys.set(owner, new Set()).get(owner)!).add(domainRule.key);
        const guardedGlobally = (globalRule && !isAllowRule(globalRule.rule)) || pii;
        if (isAllowRule(domainRule.rule) && guardedGlobally) {
          problems.push(`policies/${owner}.ts: ${type.name}.${fieldName} is set to allow, which would widen the global rule ${parts[0].label} (a domain rule may only narrow)`);
        }
        parts.push({ label: `${owner}:${domainRule.key}`, rule: domainRule.rule });
      }
      if (fieldFacts?.authenticated) parts.push({ label: 'directive:@authenticated', rule: authenticatedDirective });
      for (const alternatives of fieldFacts?.requiresScopes ?? []) parts.push({ label: 'directive:@requiresScopes', rule: requiresScopesDirective(alternatives) });
      for (const alternatives of fieldFacts?.policies ?? []) {
        for (const name of alternatives.flat()) {
          if (!global.namedPolicies[name]) problems.push(`${type.name}.${fieldName} uses @policy "${name}", which policies/global.ts does not define in namedPolicies`);
        }
        parts.push({ label: 'directive:@policy', rule: policyDirective(alternatives, global.namedPolicies) });
      }
      if (parts.length === 0) parts.push({ label: 'global:fallback', rule: global.fallbackRule });
      // Row scopes narrow whatever else applies; they never count as covering a field (deny by default stays).
      parts.push(...(rowScopeParts.get(`${type.name}.${fieldName}`) ?? []));
      const fragments = parts.flatMap((part) => fragmentsOf(part.rule));
      table.set(`${type.name}.${fieldName}`, { parts, rowLevel: fragments.length > 0, parentSelections: parentSelectionsOf(fragments) });
    }
  }

  governRequirements(table, facts, schema, problems);

  // A domain rule on a field the domain does not own never applies: say so instead of ignoring it.
  for (const domain of domains) {
    for (const [typeKey, entry] of Object.entries(domain.rules)) {
      const type = schema.getType(typeKey);
      if (typeKey.startsWith('*') || !type || !(isObjectType(type) || isInterfaceType(type))) continue;
      // Unknown fields were reported above.
      const keys = isRule(entry) ? [typeKey] : Object.keys(entry).filter((field) => field === '*' || type.getFields()[field]).map((field) => `${typeKey}.${field}`);
      for (const key of keys) {
        if (!usedDomainKeys.get(domain.domain)?.has(key)) {
          problems.push(`policies/${domain.domain}.ts: ${key} governs no field that the ${domain.domain} subgraph owns`);
        }
      }
    }
  }
  if (problems.length) throw new PolicyError([...new Set(problems)]);

  const fallback: FieldPolicy = { parts: [{ label: 'global:fallback', rule: global.fallbackRule }], rowLevel: false, parentSelections: [] };
  return {
    forField: (typeName, fieldName) => table.get(`${typeName}.${fieldName}`) ?? fallback,
    reads: (coordinate) => facts.reads(coordinate),
    rowSelectors: (coordinate) => rowSelectors.get(coordinate) ?? [],
  };
}
