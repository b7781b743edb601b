/**
 * Compiles the row scopes of the domain policies (policy.ts `RowScope`) into
 * rule parts for the fields they cover, in every domain. A scope is declared
 * once, on an entity, by the domain that owns it; what it covers is derived
 * from the supergraph, so a domain that adds a field to the entity, or a
 * personal field to a type that belongs to it, is covered without writing a
 * rule:
 *
 * - every field of the entity, whichever subgraph serves it, except its keys
 *   and the scope's `publicFields`;
 * - the types that belong to the entity: an entity type (or a type named in
 *   `belongsThrough`) with a single-valued field returning the entity, or an
 *   entity that belongs to it (`Transaction.customer`; `Payment.order` then
 *   `Order.customer`). Root types never belong. The shortest link decides; two
 *   links of the same length are ambiguous and refused until the scope names
 *   one (`belongsThrough`) or drops the other (`notThrough`);
 * - in each belonging type, its personal data: fields classified PII (`@pii`
 *   or the descriptor) and fields returning non-entity types that hold PII,
 *   plus the scope's `alsoCovers`.
 *
 * Each covered field gets the part `or(owner test via the link, not(appliesTo))`:
 * principals the scope does not apply to are settled before planning; for the
 * others the owner test reads the entity's fields through the link (a fragment
 * such as `... on Payment { order { customer { accountManager } } }`), so the
 * planner fetches the owner with one batched entity fetch per entity type, and
 * the test runs after execution once per distinct owner per request (memoized
 * on the request's shield cache), not once per field or row.
 *
 * It must never: cover a field silently less than declared (every name a scope
 * gives is checked against the supergraph, with the coordinate in the problem),
 * or let a row whose owner cannot be found through its link through (it is
 * denied).
 */
import { getNamedType, isListType, isNonNullType, isObjectType, parse, print, type GraphQLField, type GraphQLObjectType, type GraphQLOutputType, type GraphQLResolveInfo, type GraphQLSchema, type InlineFragmentNode, type SelectionSetNode } from 'graphql';
import { not, or, rule } from 'graphql-shield';
import type { MeshContext } from '../context';
import type { DomainPolicy, RowScope } from './policy';
import { evaluateRule, fragmentsOf, isRule, type Outcome, type ShieldRule } from './ruleTree';
import type { SupergraphFacts } from './supergraphFacts';

export type RowScopePart = { label: string; rule: ShieldRule };

/**
 * What an argument that reads `coordinate` (a link to the scoped entity, such as
 * `Transaction.customer`, or one of its keys) selects: the rows of one entity.
 * A field whose answer holds those rows gets each of them row-checked; a field
 * whose answer only sums or counts them (`Query.transactionSummary`) cannot be,
 * so such an argument is refused to the principals the scope applies to.
 */
export type RowSelector = {
  label: string;
  scope: string;
  entity: string;
  appliesTo: ShieldRule;
  /** Whether objects of this type carry the entity's rows (belonging types, and connections or lists of them). */
  holdsRows(typeName: string): boolean;
};

export type CompiledRowScopes = { parts: Map<string, RowScopePart[]>; selectors: Map<string, RowSelector[]> };

type Compile = {
  schema: GraphQLSchema;
  facts: SupergraphFacts;
  piiOf(typeName: string, fieldName: string): string | undefined;
  problems: string[];
};

/** The object type a field returns one of (lists never make their items belong), or undefined. */
function singleObjectType(type: GraphQLOutputType): GraphQLObjectType | undefined {
  const nullable = isNonNullType(type) ? type.ofType : type;
  if (isListType(nullable)) return undefined;
  return isObjectType(nullable) ? nullable : undefined;
}

function rootTypeNames(schema: GraphQLSchema): Set<string> {
  return new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((type) => (type ? [type.name] : [])));
}

const objectTypes = (schema: GraphQLSchema) =>
  Object.values(schema.getTypeMap()).filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__'));

/** Checks a selection set of the owner test against the schema; reports every unknown field with its coordinate. */
function validateSelections(selectionSet: SelectionSetNode, type: GraphQLObjectType, source: string, problems: string[]) {
  for (const selection of selectionSet.selections) {
    if (selection.kind !== 'Field') continue;
    const field = type.getFields()[selection.name.value];
    if (!field) {
      problems.push(`${source}: its owner rule reads ${type.name}.${selection.name.value}, which is not a field of the supergraph`);
      continue;
    }
    const child = getNamedType(field.type);
    if (selection.selectionSet && isObjectType(child)) validateSelections(selection.selectionSet, child, source, problems);
  }
}

/**
 * Shortest link path from each type that belongs to the entity (the entity itself: []).
 * `Payment` → ['order', 'customer'].
 */
function belongingPaths(scope: RowScope, entity: GraphQLObjectType, source: string, compile: Compile): Map<string, string[]> {
  const { schema, facts, problems } = compile;
  const roots = rootTypeNames(schema);
  const explicit = new Set(scope.belongsThrough ?? []);
  const excluded = new Set(scope.notThrough ?? []);
  for (const coordinate of [...explicit, ...excluded]) {
    const [typeName, fieldName] = coordinate.split('.');
    const type = schema.getType(typeName);
    if (!isObjectType(type) || !fieldName || !type.getFields()[fieldName]) problems.push(`${source}: ${coordinate} is not a field of the supergraph`);
  }
  const paths = new Map<string, string[]>([[entity.name, []]]);
  const usedExplicit = new Set<string>();
  let frontier = new Set([entity.name]);
  while (frontier.size) {
    const reached = new Map<string, string[]>();
    for (const type of objectTypes(schema)) {
      if (paths.has(type.name) || roots.has(type.name)) continue;
      // A type the scope names links for belongs through those only, whatever the supergraph shows.
      const named = Object.keys(type.getFields()).some((fieldName) => explicit.has(`${type.name}.${fieldName}`));
      const deciding = Object.values(type.getFields()).filter((field) => {
        const coordinate = `${type.name}.${field.name}`;
        const target = singleObjectType(field.type);
        if (!target || !frontier.has(target.name) || excluded.has(coordinate)) return false;
        return named ? explicit.has(coordinate) : facts.keyFields(type.name).length > 0;
      });
      if (!deciding.length) continue;
      if (deciding.length > 1) {
        const coordinates = deciding.map((field) => `${type.name}.${field.name}`);
        problems.push(`${source}: ${type.name} belongs to ${entity.name} through ${coordinates.join(' and ')}; name the one that decides in belongsThrough, or the others in notThrough`);
      }
      const [link] = deciding;
      usedExplicit.add(`${type.name}.${link.name}`);
      reached.set(type.name, [link.name, ...paths.get(getNamedType(link.type).name)!]);
    }
    for (const [typeName, path] of reached) paths.set(typeName, path);
    frontier = new Set(reached.keys());
  }
  for (const coordinate of explicit) {
    if (!usedExplicit.has(coordinate) && !problems.some((problem) => problem.includes(`${source}: ${coordinate} is not`))) {
      problems.push(`${source}: belongsThrough ${coordinate} does not lead to ${entity.name} (it must return ${entity.name}, or a type that belongs to it, one object at a time)`);
    }
  }
  return paths;
}

/** Whether a non-entity type reached from a belonging type holds personal data, directly or through other non-entity types. */
function holdsPii(compile: Compile, type: GraphQLObjectType, seen = new Set<string>()): boolean {
  if (seen.has(type.name) || compile.facts.keyFields(type.name).length) return false;
  seen.add(type.name);
  return Object.values(type.getFields()).some((field) => {
    if (compile.piiOf(type.name, field.name)) return true;
    const child = getNamedType(field.type);
    return isObjectType(child) && holdsPii(compile, child, seen);
  });
}

function isPersonal(compile: Compile, type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): boolean {
  if (compile.piiOf(type.name, field.name)) return true;
  const child = getNamedType(field.type);
  return isObjectType(child) && holdsPii(compile, child);
}

const rethrow = (_rule: string, error: unknown) => {
  throw error;
};

/**
 * The owner test of `scope`, run on the entity reached from the parent by `path`.
 * `ownerFields`: the entity fields the owner rule reads; the decision is memoized per request on their values.
 */
function ownerCheck(scope: RowScope, label: string, typeName: string, path: string[], ownerSelections: string, ownerFields: string[]): ShieldRule {
  const nested = path.reduceRight((inner, field) => `${field} { ${inner} }`, ownerSelections);
  const via = path.length ? ` via ${typeName}.${path.join('.')}` : '';
  return rule(`rowScope(${scope.name})${via}`, { cache: 'no_cache', fragment: `... on ${typeName} { ${nested} }` })(
    async (parent: unknown, _args: unknown, context: MeshContext, info: GraphQLResolveInfo) => {
      let owner = parent;
      for (const field of path) owner = (owner as Record<string, unknown> | null | undefined)?.[field];
      if (!owner || typeof owner !== 'object') return `this ${typeName} belongs to no ${scope.entity} (row scope ${scope.name})`;
      const view = Object.fromEntries(ownerFields.map((field) => [field, (owner as Record<string, unknown>)[field] ?? null]));
      const key = `meshgate:${label}:${JSON.stringify(view)}`;
      const cache = context._shield.cache as Record<string, Promise<Outcome>>;
      cache[key] ??= evaluateRule(scope.owner, { parent: view, args: {}, context, info, onRuleError: rethrow });
      const outcome = await cache[key];
      return outcome.kind === 'allow' || (outcome.kind === 'deny' ? outcome.reason : `the owner test of row scope ${scope.name} could not be decided`);
    },
  );
}

function compileScope(domain: string, scope: RowScope, compile: Compile, { parts, selectors }: CompiledRowScopes) {
  const { schema, facts, problems } = compile;
  const source = `policies/${domain}.ts: row scope "${scope.name}"`;
  const entity = schema.getType(scope.entity);
  if (!isObjectType(entity)) return problems.push(`${source}: ${scope.entity} is not an object type of the supergraph`);
  const keys = facts.keyFields(entity.name);
  if (!keys.length) problems.push(`${source}: ${entity.name} is not an entity (no @key in any subgraph)`);
  if (!isRule(scope.appliesTo)) problems.push(`${source}: appliesTo is not a graphql-shield rule`);
  else if (fragmentsOf(scope.appliesTo).length) problems.push(`${source}: appliesTo must decide on the principal alone, but it reads the parent (it has a fragment)`);
  if (!isRule(scope.owner)) return problems.push(`${source}: owner is not a graphql-shield rule`);
  const ownerFragments = fragmentsOf(scope.owner);
  if (!ownerFragments.length) return problems.push(`${source}: owner must name the ${entity.name} fields it reads with a fragment (\`... on ${entity.name} { field }\`)`);
  const ownerSelections: string[] = [];
  const ownerFields = new Set<string>();
  for (const fragment of ownerFragments) {
    const inline = (parse(`{ ${fragment} }`).definitions[0] as unknown as { selectionSet: SelectionSetNode }).selectionSet.selections[0] as InlineFragmentNode;
    if (inline.typeCondition?.name.value !== entity.name) {
      problems.push(`${source}: the owner rule's fragment "${fragment}" is not on ${entity.name}`);
      continue;
    }
    validateSelections(inline.selectionSet, entity, source, problems);
    for (const selection of inline.selectionSet.selections) {
      if (selection.kind !== 'Field') continue;
      ownerFields.add(selection.name.value);
      const owners = facts.field(entity.name, selection.name.value)?.owners ?? [];
      if (entity.getFields()[selection.name.value] && !keys.includes(selection.name.value) && !owners.includes(domain)) {
        problems.push(`${source}: its owner rule reads ${entity.name}.${selection.name.value}, which the ${domain} subgraph does not own; declare the scope in the policy of the domain that owns ${entity.name}`);
      }
    }
    ownerSelections.push(print(inline.selectionSet).slice(1, -1).trim());
  }
  for (const fieldName of scope.publicFields ?? []) {
    if (!entity.getFields()[fieldName]) problems.push(`${source}: publicFields names ${entity.name}.${fieldName}, which is not a field of the supergraph`);
  }
  const paths = belongingPaths(scope, entity, source, compile);
  const alsoCovers = new Set(scope.alsoCovers ?? []);
  for (const coordinate of alsoCovers) {
    const [typeName, fieldName] = coordinate.split('.');
    const type = schema.getType(typeName);
    if (!isObjectType(type) || !fieldName || !type.getFields()[fieldName]) problems.push(`${source}: alsoCovers names ${coordinate}, which is not a field of the supergraph`);
    else if (typeName === entity.name || !paths.has(typeName)) problems.push(`${source}: alsoCovers names ${coordinate}, but ${typeName} is not a type that belongs to ${entity.name}`);
  }

  const label = `${domain}:rowScope(${scope.name})`;
  const publicFields = new Set([...keys, ...(scope.publicFields ?? [])]);
  for (const [typeName, path] of paths) {
    const type = schema.getType(typeName) as GraphQLObjectType;
    const check = or(ownerCheck(scope, label, typeName, path, ownerSelections.join(' '), [...ownerFields]), not(scope.appliesTo));
    const typeKeys = new Set(facts.keyFields(typeName));
    for (const field of Object.values(type.getFields())) {
      const covered =
        typeName === entity.name ? !publicFields.has(field.name) : !typeKeys.has(field.name) && (alsoCovers.has(`${typeName}.${field.name}`) || isPersonal(compile, type, field));
      if (!covered) continue;
      const coordinate = `${typeName}.${field.name}`;
      (parts.get(coordinate) ?? parts.set(coordinate, []).get(coordinate)!).push({ label, rule: check });
    }
  }

  const selector: RowSelector = { label, scope: scope.name, entity: entity.name, appliesTo: scope.appliesTo, holdsRows: rowHolders(schema, facts, new Set(paths.keys())) };
  const selecting = [...keys.map((key) => `${entity.name}.${key}`), ...[...paths].filter(([, path]) => path.length).map(([typeName, [link]]) => `${typeName}.${link}`)];
  for (const coordinate of selecting) (selectors.get(coordinate) ?? selectors.set(coordinate, []).get(coordinate)!).push(selector);
}

/** Whether a type's objects carry rows of the belonging types: one of them, or a non-entity type (a connection, an edge) that leads to one. */
function rowHolders(schema: GraphQLSchema, facts: SupergraphFacts, belonging: Set<string>): (typeName: string) => boolean {
  const known = new Map<string, boolean>();
  const holds = (typeName: string): boolean => {
    if (belonging.has(typeName)) return true;
    if (known.has(typeName)) return known.get(typeName)!;
    known.set(typeName, false);
    const type = schema.getType(typeName);
    const result = isObjectType(type) && !facts.keyFields(typeName).length && Object.values(type.getFields()).some((field) => holds(getNamedType(field.type).name));
    known.set(typeName, result);
    return result;
  };
  return holds;
}

/** The row-scope parts of every covered field, and the selectors of every link, by coordinate; problems go to `problems`. */
export function compileRowScopes(domains: DomainPolicy[], compile: Compile): CompiledRowScopes {
  const compiled: CompiledRowScopes = { parts: new Map(), selectors: new Map() };
  const names = new Map<string, string>();
  for (const domain of domains) {
    for (const scope of domain.rowScopes ?? []) {
      const earlier = names.get(scope.name);
      if (earlier) compile.problems.push(`policies/${domain.domain}.ts: row scope "${scope.name}" is also declared in policies/${earlier}.ts; scope names must be unique`);
      names.set(scope.name, domain.domain);
      compileScope(domain.domain, scope, compile, compiled);
    }
  }
  return compiled;
}
