/**
 * What the supergraph says about each field that authorization needs: which
 * subgraphs (domains) own it, whether a subgraph classified it as PII, the
 * federation authorization directives (@authenticated, @requiresScopes,
 * @policy) declared on it or on its type, and which fields each argument,
 * input field and enum value reads (`@reads`, meshgate's directive composed
 * like `@pii`: "arguments are data"), and which fields a field `@requires`
 * (the gateway fetches them and sends them to the field's subgraph).
 *
 * It only reads: it never judges whether a `@reads` names a real field or who
 * may use it (compilePolicy validates, the authorization stage enforces).
 */
import { Kind, parse, valueFromASTUntyped, type ConstDirectiveNode, type DocumentNode, type TypeNode } from 'graphql';

export type FieldFacts = {
  owners: string[];
  pii?: string;
  authenticated: boolean;
  /**
   * One entry per @requiresScopes on the field or its type; every entry must be
   * satisfied. An entry lists alternatives (OR) of scope sets (AND), as federation defines it.
   */
  requiresScopes: string[][][];
  /** One entry per @policy, with the same OR-of-AND shape, naming policies of the global policy file. */
  policies: string[][][];
  /** The field sets of its `@requires`, one per subgraph that declares one (`"total"`, `"customer { segment }"`). */
  requires: string[];
};

/**
 * What using an argument or input field reads, as declared with
 * `@reads(fields: [...])` in a subgraph schema: a principal who may not read one
 * of `fields` may not filter, search or sort with it. Coordinates name every
 * field on the way (`flaggedOnly` reads `Transaction.anomaly` and
 * `AnomalyAssessment.flagged`).
 */
export type ArgumentReads = {
  /** Fields read whenever the argument or input field is given (its own `@reads`). */
  fields: string[];
  /**
   * For an enum-typed (or list of enum) argument or input field whose enum values
   * carry `@reads` (sort fields): the fields read when that value is given.
   */
  byValue?: Record<string, string[]>;
};

export type SupergraphFacts = {
  field(typeName: string, fieldName: string): FieldFacts | undefined;
  /** Every type.field the facts know, for policy validation. */
  fields(): IterableIterator<[string, FieldFacts]>;
  /**
   * What an argument (`Query.customers(filter:)`) or input field
   * (`CustomerFilter.search`) reads, by its schema coordinate; undefined when
   * it reads nothing declared. An input-object argument's own entry holds only
   * its own `@reads`: its input fields have theirs (walk the value with the
   * schema and look each one up), or see `argumentPaths` for them expanded.
   */
  reads(coordinate: string): ArgumentReads | undefined;
  /** Every argument and input field coordinate that reads something, with what it reads. */
  allReads(): IterableIterator<[string, ArgumentReads]>;
  /**
   * The same, expanded along each field's arguments into their input objects:
   * `Query.customers(filter:).search` → `{ fields: ['Customer.name'] }`,
   * `Query.transactions(orderBy:).field` → `{ fields: [], byValue: { AMOUNT: ['Transaction.amount'], ... } }`.
   * A recursive input type is expanded once inside itself (`filter.and.search`), not further.
   */
  argumentPaths(): Map<string, ArgumentReads>;
  /**
   * The top-level fields of a type's federation keys (`@join__type(key: "id")` in any subgraph);
   * empty for a type that is not an entity. Row scopes use them: entities belong to entities.
   */
  keyFields(typeName: string): string[];
};

/** Top-level field names of a key field set: `"id"`, `"id sku"`, `"id organization { id }"` gives id, organization. */
function topLevelFieldsOf(fieldSet: string): string[] {
  const names: string[] = [];
  let depth = 0;
  for (const token of fieldSet.match(/[{}]|[_A-Za-z][_0-9A-Za-z]*/g) ?? []) {
    if (token === '{') depth++;
    else if (token === '}') depth--;
    else if (depth === 0) names.push(token);
  }
  return names;
}

/** Coordinate of a field's argument, as in the GraphQL schema coordinates RFC: `Query.customers(filter:)`. */
export const argumentCoordinate = (typeName: string, fieldName: string, argumentName: string) => `${typeName}.${fieldName}(${argumentName}:)`;

const namedTypeOf = (type: TypeNode): string => (type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeOf(type.type));

const readsOfDirectives = (directives: readonly ConstDirectiveNode[] | undefined): string[] =>
  directivesNamed(directives, 'reads').flatMap((directive) => {
    const fields = argument(directive, 'fields');
    return Array.isArray(fields) ? fields.map(String) : typeof fields === 'string' ? [fields] : [];
  });

const argument = (directive: ConstDirectiveNode, name: string) => {
  const node = directive.arguments?.find((arg) => arg.name.value === name);
  return node ? valueFromASTUntyped(node.value) : undefined;
};

const directivesNamed = (directives: readonly ConstDirectiveNode[] | undefined, name: string) =>
  (directives ?? []).filter((directive) => directive.name.value === name);

export function readSupergraphFacts(supergraphSdl: string | DocumentNode): SupergraphFacts {
  const document = typeof supergraphSdl === 'string' ? parse(supergraphSdl) : supergraphSdl;
  const graphNames = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph') {
      for (const value of definition.values ?? []) {
        const [graph] = directivesNamed(value.directives, 'join__graph');
        graphNames.set(value.name.value, graph ? String(argument(graph, 'name')) : value.name.value.toLowerCase());
      }
    }
  }
  const graphOf = (directive: ConstDirectiveNode) => {
    const node = directive.arguments?.find((arg) => arg.name.value === 'graph');
    return node && node.value.kind === Kind.ENUM ? graphNames.get(node.value.value) : undefined;
  };
  const facts = new Map<string, FieldFacts>();
  const keys = new Map<string, Set<string>>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const typeName = definition.name.value;
    for (const join of directivesNamed(definition.directives, 'join__type')) {
      const key = argument(join, 'key');
      if (typeof key === 'string') for (const name of topLevelFieldsOf(key)) (keys.get(typeName) ?? keys.set(typeName, new Set()).get(typeName)!).add(name);
    }
    const typeGraphs = directivesNamed(definition.directives, 'join__type').map(graphOf).filter((graph): graph is string => Boolean(graph));
    const typeAuthenticated = directivesNamed(definition.directives, 'authenticated').length > 0;
    const typeScopes = directivesNamed(definition.directives, 'requiresScopes').map((d) => argument(d, 'scopes') as string[][]);
    const typePolicies = directivesNamed(definition.directives, 'policy').map((d) => argument(d, 'policies') as string[][]);
    for (const field of definition.fields ?? []) {
      const joins = directivesNamed(field.directives, 'join__field');
      const owners = joins.length
        ? joins.filter((join) => argument(join, 'external') !== true).map(graphOf).filter((graph): graph is string => Boolean(graph))
        : typeGraphs;
      const [pii] = directivesNamed(field.directives, 'pii');
      const scopes = [...typeScopes, ...directivesNamed(field.directives, 'requiresScopes').map((d) => argument(d, 'scopes') as string[][])];
      const policies = [...typePolicies, ...directivesNamed(field.directives, 'policy').map((d) => argument(d, 'policies') as string[][])];
      facts.set(`${typeName}.${field.name.value}`, {
        owners: [...new Set(owners)],
        pii: pii ? String(argument(pii, 'category') ?? 'contact') : undefined,
        authenticated: typeAuthenticated || directivesNamed(field.directives, 'authenticated').length > 0,
        requiresScopes: scopes.filter((alternatives) => alternatives?.length),
        policies: policies.filter((alternatives) => alternatives?.length),
        requires: joins.map((join) => argument(join, 'requires')).filter((fieldSet): fieldSet is string => typeof fieldSet === 'string' && fieldSet.trim() !== ''),
      });
    }
  }
  const reads = readArgumentReads(document);
  return {
    field: (typeName, fieldName) => facts.get(`${typeName}.${fieldName}`),
    fields: () => facts.entries(),
    reads: (coordinate) => reads.declared.get(coordinate),
    allReads: () => reads.declared.entries(),
    argumentPaths: () => reads.expanded(),
    keyFields: (typeName) => [...(keys.get(typeName) ?? [])],
  };
}

type InputSlot = { coordinate: string; name: string; typeName: string; own: string[] };

/** The `@reads` of every argument, input field and enum value, resolved through enum types. */
function readArgumentReads(document: DocumentNode) {
  const enumValueReads = new Map<string, Record<string, string[]>>();
  const inputFields = new Map<string, InputSlot[]>();
  const fieldArguments: InputSlot[] = [];
  for (const definition of document.definitions) {
    switch (definition.kind) {
      case Kind.ENUM_TYPE_DEFINITION:
      case Kind.ENUM_TYPE_EXTENSION: {
        const values = enumValueReads.get(definition.name.value) ?? {};
        for (const value of definition.values ?? []) {
          const own = readsOfDirectives(value.directives);
          if (own.length) values[value.name.value] = [...(values[value.name.value] ?? []), ...own];
        }
        if (Object.keys(values).length) enumValueReads.set(definition.name.value, values);
        break;
      }
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      case Kind.INPUT_OBJECT_TYPE_EXTENSION: {
        const slots = inputFields.get(definition.name.value) ?? [];
        for (const field of definition.fields ?? []) {
          slots.push({ coordinate: `${definition.name.value}.${field.name.value}`, name: field.name.value, typeName: namedTypeOf(field.type), own: readsOfDirectives(field.directives) });
        }
        inputFields.set(definition.name.value, slots);
        break;
      }
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.OBJECT_TYPE_EXTENSION:
      case Kind.INTERFACE_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_EXTENSION:
        for (const field of definition.fields ?? []) {
          for (const arg of field.arguments ?? []) {
            fieldArguments.push({
              coordinate: argumentCoordinate(definition.name.value, field.name.value, arg.name.value),
              name: arg.name.value,
              typeName: namedTypeOf(arg.type),
              own: readsOfDirectives(arg.directives),
            });
          }
        }
        break;
    }
  }
  const readsOfSlot = (slot: InputSlot): ArgumentReads | undefined => {
    const byValue = enumValueReads.get(slot.typeName);
    if (!slot.own.length && !byValue) return undefined;
    return { fields: [...new Set(slot.own)], ...(byValue ? { byValue } : {}) };
  };
  const declared = new Map<string, ArgumentReads>();
  for (const slot of [...fieldArguments, ...[...inputFields.values()].flat()]) {
    const found = readsOfSlot(slot);
    if (found) declared.set(slot.coordinate, found);
  }
  const expanded = () => {
    const paths = new Map<string, ArgumentReads>();
    // `visits`: how often each input type occurs on the path; a recursive one is entered twice, not forever.
    const walk = (slot: InputSlot, path: string, visits: Map<string, number>) => {
      const found = readsOfSlot(slot);
      if (found) paths.set(path, found);
      const nested = inputFields.get(slot.typeName);
      const entered = visits.get(slot.typeName) ?? 0;
      if (!nested || entered >= 2) return;
      const inside = new Map(visits).set(slot.typeName, entered + 1);
      for (const field of nested) walk(field, `${path}.${field.name}`, inside);
    };
    for (const slot of fieldArguments) walk(slot, slot.coordinate, new Map());
    return paths;
  };
  return { declared, expanded };
}
