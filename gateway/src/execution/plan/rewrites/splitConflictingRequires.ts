/**
 * Operation rewrite before planning, for two @requires that need the same
 * field with different arguments (`estimate @requires(fields: "weight(unit:
 * KILOGRAM)")` and `packaging @requires(fields: "weight(unit: GRAM)")` in one
 * subgraph). @apollo/query-planner keeps one `weight` in the entity's
 * representation, so one of the two is computed from the other's value. A
 * representation cannot carry two values of one field, so the two fields must
 * be asked for with two representations: here the client's parent field is
 * selected a second time, under an alias of meshgate's, holding the fields that
 * conflict with the first copy's (`parcels { id estimate }` and
 * `parcels__meshgate_requires_1: parcels { packaging }`). The planner then plans
 * each copy with its own requirement, mergeSiblingFetches sends both entity
 * fetches in one request, and mergeDuplicates.ts puts the copy's fields back
 * into the client's object before the response is shaped.
 *
 * Guarantees: only parent fields whose object type has requiring fields in
 * conflict are duplicated, with the same arguments and directives; the copy
 * holds only the client's own fields; nothing is selected that the client's
 * operation does not select (authorization's decision covers the copy).
 *
 * Must never: duplicate a root field of a mutation (it would run twice), or
 * look inside fragments (their fields stay as they are: the conflict is then
 * not fixed).
 */
import { getNamedType, isObjectType, Kind, parse, print, type DocumentNode, type FieldNode, type GraphQLObjectType, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';

/** Per object type, per requiring field: the subgraph and, per required field, its arguments as written. */
export type Requirements = Map<string, Map<string, { graph: string; needs: Map<string, string> }>>;

/** A parent field selected again: at `path` (response keys from the root), `alias` holds fields the client asked under `key`. */
export type Duplicate = {
  path: string[];
  key: string;
  alias: string;
  /** The required fields whose values differ between the copies by design (weight in KILOGRAM and in GRAM). */
  required: string[];
};

const ALIAS = '__meshgate_requires_';

export function requirementsOf(supergraphSchema: GraphQLSchema): Requirements {
  const result: Requirements = new Map();
  for (const type of Object.values(supergraphSchema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      for (const directive of field.astNode?.directives ?? []) {
        if (directive.name.value !== 'join__field') continue;
        const graph = directive.arguments?.find((argument) => argument.name.value === 'graph')?.value;
        const requires = directive.arguments?.find((argument) => argument.name.value === 'requires')?.value;
        if (requires?.kind !== Kind.STRING || graph?.kind !== Kind.ENUM) continue;
        const needs = new Map<string, string>();
        const operation = parse(`{${requires.value}}`).definitions[0] as OperationDefinitionNode;
        for (const selection of operation.selectionSet.selections) {
          if (selection.kind === Kind.FIELD && selection.arguments?.length) needs.set(selection.name.value, selection.arguments.map(print).sort().join(','));
        }
        if (!needs.size) continue;
        const byField = result.get(type.name) ?? new Map();
        result.set(type.name, byField);
        byField.set(field.name, { graph: graph.value, needs });
      }
    }
  }
  return result;
}

/** The document with conflicting requiring fields moved into copies of their parent field; undefined when nothing conflicts. */
export function splitConflictingRequires(apiSchema: GraphQLSchema, requirements: Requirements, document: DocumentNode, operation: OperationDefinitionNode): { document: DocumentNode; duplicates: Duplicate[] } | undefined {
  if (requirements.size === 0 || operation.operation !== 'query') return undefined;
  const duplicates: Duplicate[] = [];
  const root = apiSchema.getQueryType()!;
  const split = (selectionSet: SelectionSetNode, type: GraphQLObjectType, path: string[]): SelectionSetNode => {
    const selections: SelectionSetNode['selections'][number][] = [];
    for (const selection of selectionSet.selections) {
      if (selection.kind !== Kind.FIELD || !selection.selectionSet) {
        selections.push(selection);
        continue;
      }
      const fieldType = type.getFields()[selection.name.value] && getNamedType(type.getFields()[selection.name.value].type);
      if (!isObjectType(fieldType)) {
        selections.push(selection);
        continue;
      }
      const key = selection.alias?.value ?? selection.name.value;
      const inner = split(selection.selectionSet, fieldType, [...path, key]);
      const buckets = bucketsFor(inner, requirements.get(fieldType.name));
      selections.push({ ...selection, selectionSet: { ...inner, selections: buckets[0] } });
      buckets.slice(1).forEach((fields, i) => {
        const alias = `${key}${ALIAS}${i + 1}`;
        const required = [...new Set([...(requirements.get(fieldType.name)?.values() ?? [])].flatMap(({ needs }) => [...needs.keys()]))];
        duplicates.push({ path, key, alias, required });
        selections.push({ ...selection, alias: { kind: Kind.NAME, value: alias }, selectionSet: { ...inner, selections: fields } });
      });
    }
    return { ...selectionSet, selections };
  };
  const selectionSet = split(operation.selectionSet, root, []);
  if (!duplicates.length) return undefined;
  const definitions = document.definitions.map((definition) => (definition === operation ? { ...operation, selectionSet } : definition));
  return { document: { ...document, definitions }, duplicates };
}

/** The selections of one object, in buckets whose requiring fields agree on every argument; the first holds everything else. */
function bucketsFor(selectionSet: SelectionSetNode, requiring: Map<string, { graph: string; needs: Map<string, string> }> | undefined): SelectionSetNode['selections'][number][][] {
  const buckets: { selections: SelectionSetNode['selections'][number][]; needs: Map<string, string> }[] = [{ selections: [], needs: new Map() }];
  for (const selection of selectionSet.selections) {
    const requirement = selection.kind === Kind.FIELD ? requiring?.get(selection.name.value) : undefined;
    if (!requirement) {
      buckets[0].selections.push(selection);
      continue;
    }
    const agrees = (needs: Map<string, string>) => [...requirement.needs].every(([field, args]) => (needs.get(`${requirement.graph}.${field}`) ?? args) === args);
    let bucket = buckets.find((candidate) => agrees(candidate.needs));
    if (!bucket) buckets.push((bucket = { selections: [], needs: new Map() }));
    bucket.selections.push(selection as FieldNode);
    for (const [field, args] of requirement.needs) bucket.needs.set(`${requirement.graph}.${field}`, args);
  }
  return buckets.map((bucket) => bucket.selections);
}
