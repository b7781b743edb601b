/**
 * What the cache needs to know about entities, read from the supergraph: each
 * entity type's keys (from `@join__type(key:)`) and the domains that own its
 * fields (from `@join__field`, external fields excluded). Keys with nested
 * selections are left out: entities identified only by such a key are tagged
 * by type, which stays correct (invalidation drops more, never less).
 */
import { Kind, parse, type ConstDirectiveNode, type DocumentNode, type FieldNode } from 'graphql';

export type EntityInfo = {
  /** Each key as its leaf field names (a key "id" is ["id"]). */
  keys: string[][];
  /** Domains (subgraph names) that own at least one of the type's fields besides its keys. */
  owners: string[];
};

const argument = (directive: ConstDirectiveNode, name: string) => directive.arguments?.find((arg) => arg.name.value === name)?.value;

function leafKeyFields(fields: string): string[] | undefined {
  try {
    const document = parse(`{ ${fields} }`);
    const selections = (document.definitions[0] as { selectionSet: { selections: readonly FieldNode[] } }).selectionSet.selections;
    if (selections.some((selection) => selection.kind !== Kind.FIELD || selection.selectionSet)) return undefined;
    return selections.map((selection) => selection.name.value);
  } catch {
    return undefined;
  }
}

export function readEntities(supergraph: string | DocumentNode): Map<string, EntityInfo> {
  const document = typeof supergraph === 'string' ? parse(supergraph) : supergraph;
  const graphNames = new Map<string, string>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== 'join__Graph') continue;
    for (const value of definition.values ?? []) {
      const graph = value.directives?.find((directive) => directive.name.value === 'join__graph');
      const name = graph && argument(graph, 'name');
      graphNames.set(value.name.value, name?.kind === Kind.STRING ? name.value : value.name.value.toLowerCase());
    }
  }
  const graphOf = (directive: ConstDirectiveNode) => {
    const value = argument(directive, 'graph');
    return value?.kind === Kind.ENUM ? graphNames.get(value.value) : undefined;
  };

  const entities = new Map<string, EntityInfo>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    const joins = (definition.directives ?? []).filter((directive) => directive.name.value === 'join__type');
    const keyStrings = joins.flatMap((join) => {
      const key = argument(join, 'key');
      return key?.kind === Kind.STRING ? [key.value] : [];
    });
    if (keyStrings.length === 0) continue;
    const keys: string[][] = [];
    for (const key of new Set(keyStrings)) {
      const fields = leafKeyFields(key);
      if (fields && !keys.some((known) => known.join(' ') === fields.join(' '))) keys.push(fields);
    }
    const keyFieldNames = new Set(keys.flat());
    const typeGraphs = joins.map(graphOf).filter((graph): graph is string => Boolean(graph));
    const owners = new Set<string>();
    for (const field of definition.fields ?? []) {
      if (keyFieldNames.has(field.name.value)) continue;
      const fieldJoins = (field.directives ?? []).filter((directive) => directive.name.value === 'join__field');
      const fieldOwners = fieldJoins.length
        ? fieldJoins.filter((join) => !(argument(join, 'external')?.kind === Kind.BOOLEAN && (argument(join, 'external') as { value: boolean }).value)).map(graphOf)
        : typeGraphs;
      for (const owner of fieldOwners) if (owner) owners.add(owner);
    }
    entities.set(definition.name.value, { keys, owners: [...owners].sort() });
  }
  return entities;
}
