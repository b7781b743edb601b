/**
 * Overlapping fields can be merged (GraphQL spec 5.3.2), checked in time that
 * grows linearly with the operation after fragment expansion: a drop-in
 * replacement for graphql-js's OverlappingFieldsCanBeMergedRule, which
 * compares every pair of fields sharing a response name and so is quadratic
 * (6,000 copies of `totalCount` in one selection set: 18 million comparisons,
 * 16 s of blocked event loop, before any limit could run).
 *
 * Written by hand because no library has it for graphql-js: this is the
 * algorithm XING published for Sangria ("GraphQL Overlapping Fields Can Be
 * Merged Fast", also used by graphql-java and the Apollo Router). Instead of
 * pairs it works on sets: all fields of one response name, with the
 * selections of all of them merged into the next level's sets.
 * - Same response shape: every field of a set (whatever its parent type) must
 *   return the same shape (list and non-null wrappers, the same leaf type, or
 *   any composite type). Shape equality is an equivalence, so each field is
 *   compared with the first one only; then the merged sub-selections, by
 *   response name, recursively.
 * - Same field and arguments where the parents can coincide: fields whose
 *   parents are different object types can never both apply, so the set is
 *   split by object parent type (fields with an abstract or unknown parent go
 *   into every part). Inside a part every field must have the first one's name
 *   and arguments; then each part's merged sub-selections, recursively.
 * The result is the same as graphql-js's on every document (a property test
 * compares both, LinearOverlappingFieldsRule.test.ts); the errors use its
 * wording, one per conflicting set rather than one per conflicting pair.
 *
 * Fragments are expanded as sets of nodes: a fragment spread several times
 * into one merged set adds its fields once, and a fragment that is already
 * being expanded further up is not expanded again (cycles end; the
 * NoFragmentCycles rule reports them). Fragment definitions are checked where
 * they are spread, not on their own: an unused fragment is already an error.
 * A set already checked is not checked again, and the work is counted: past
 * MAX_FIELD_VISITS (far above anything the expanded-size limit lets through)
 * the rule stops with an error rather than run on, so it never accepts a
 * document it did not check.
 */
import {
  getNamedType,
  GraphQLError,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  isLeafType,
  Kind,
  print,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  type ASTVisitor,
  type FieldNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { sortValueNode } from 'graphql/utilities/sortValueNode';

/** Fields the rule may look at per operation before it gives up (each field of each merged set counts once per traversal). */
export const MAX_FIELD_VISITS = 2_000_000;

type Field = {
  node: FieldNode;
  parentType: GraphQLNamedType | undefined;
  definition: GraphQLField<unknown, unknown> | undefined;
  /** The field whose selection this one came from, for the error message; undefined at the top. */
  parent: Field | undefined;
};

type Source = { selectionSet: SelectionSetNode; parentType: GraphQLNamedType | undefined; parent: Field | undefined };

class TooMuchWork extends Error {}

function fieldDefinition(schema: GraphQLSchema, parentType: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  if (!parentType) return undefined;
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (parentType === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  // Plain instanceof, not graphql-js's isObjectType: outside production its failing checks are slow, and this runs per field.
  return parentType instanceof GraphQLObjectType || parentType instanceof GraphQLInterfaceType ? parentType.getFields()[name] : undefined;
}

/**
 * The response shape of a type as graphql-js's doTypesConflict compares them: the list and non-null wrappers, then the
 * leaf type itself or just "composite" (its fields are compared one level down). Two types conflict when their shapes
 * differ, so equal shapes are an equivalence. Kept per type object, which the schema keeps for its lifetime.
 */
const shapes = new WeakMap<GraphQLOutputType, string>();
function shapeOf(type: GraphQLOutputType): string {
  let shape = shapes.get(type);
  if (shape === undefined) {
    if (type instanceof GraphQLList) shape = `[${shapeOf(type.ofType)}]`;
    else if (type instanceof GraphQLNonNull) shape = `${shapeOf(type.ofType)}!`;
    else shape = isLeafType(type) ? `leaf:${type.name}` : 'composite';
    shapes.set(type, shape);
  }
  return shape;
}

const responseNameOf = (node: FieldNode) => node.alias?.value ?? node.name.value;

/** Validates that fields sharing a response name can be merged, in time linear in the operation after fragment expansion. */
export function LinearOverlappingFieldsRule(context: ValidationContext): ASTVisitor {
  const schema = context.getSchema();
  const argumentKeys = new WeakMap<FieldNode, string>();
  const reported = new Set<string>();
  const ids = new WeakMap<FieldNode, number>();
  let visits = 0;
  let nextId = 0;

  const idOf = (node: FieldNode) => {
    let id = ids.get(node);
    if (id === undefined) ids.set(node, (id = nextId++));
    return id;
  };

  /** Arguments as graphql-js compares them: by name, each value printed with its object fields sorted. */
  const argumentKey = (node: FieldNode) => {
    let key = argumentKeys.get(node);
    if (key === undefined) {
      key = !node.arguments?.length ? '' : node.arguments
        .map((argument) => `${argument.name.value}:${print(sortValueNode(argument.value))}`)
        .sort()
        .join(',');
      argumentKeys.set(node, key);
    }
    return key;
  };

  const report = (a: Field, b: Field, reason: string) => {
    const key = `${idOf(a.node)}|${idOf(b.node)}|${reason}`;
    if (reported.has(key)) return;
    reported.add(key);
    const chain = (field: Field) => {
      const fields: Field[] = [];
      for (let at: Field | undefined = field; at; at = at.parent) fields.unshift(at);
      return fields;
    };
    const chainA = chain(a);
    const chainB = chain(b);
    // Report from where the two paths part, as graphql-js does from the selection set holding both.
    let from = 0;
    while (from < chainA.length - 1 && chainA[from].node === chainB[from]?.node) from++;
    const names = chainA.slice(from).map((field) => responseNameOf(field.node));
    const because = names
      .slice(1)
      .map((name) => `subfields "${name}" conflict because `)
      .join('');
    context.reportError(
      new GraphQLError(`Fields "${names[0]}" conflict because ${because}${reason}. Use different aliases on the fields to fetch both if this was intentional.`, {
        nodes: [...chainA.slice(from), ...chainB.slice(from)].map((field) => field.node),
      }),
    );
  };

  /**
   * The fields of the given selection sets, merged, by response name; fragments expanded once each, and not at all
   * when they are `expanding` further up (a cycle). Returns the fragments it expanded, for the caller to mark.
   */
  const collect = (sources: Source[], expanding: Set<string>): { byName: Map<string, Field[]>; expanded: Set<string> } => {
    const byName = new Map<string, Field[]>();
    const seen = new Set<FieldNode>();
    const expanded = new Set<string>();
    const add = (selectionSet: SelectionSetNode, parentType: GraphQLNamedType | undefined, parent: Field | undefined) => {
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (seen.has(selection)) continue;
          seen.add(selection);
          if (++visits > MAX_FIELD_VISITS) throw new TooMuchWork();
          const field: Field = { node: selection, parentType, definition: fieldDefinition(schema, parentType, selection.name.value), parent };
          const name = responseNameOf(selection);
          const fields = byName.get(name);
          if (fields) fields.push(field);
          else byName.set(name, [field]);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          add(selection.selectionSet, selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType, parent);
        } else {
          const name = selection.name.value;
          if (expanding.has(name) || expanded.has(name)) continue;
          const fragment = context.getFragment(name);
          if (!fragment) continue;
          expanded.add(name);
          add(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value), parent);
        }
      }
    };
    for (const source of sources) add(source.selectionSet, source.parentType, source.parent);
    return { byName, expanded };
  };

  const subSelectionsOf = (fields: Field[]): Source[] =>
    fields.flatMap((field) =>
      field.node.selectionSet ? [{ selectionSet: field.node.selectionSet, parentType: field.definition && getNamedType(field.definition.type), parent: field }] : [],
    );

  /** Runs `check` on each set of the merged sub-selections of `fields`, with the fragments expanded here marked as in progress. */
  const eachSubSet = (fields: Field[], expanding: Set<string>, check: (set: Field[]) => void) => {
    const sources = subSelectionsOf(fields);
    if (!sources.length) return;
    const { byName, expanded } = collect(sources, expanding);
    for (const name of expanded) expanding.add(name);
    for (const set of byName.values()) check(set);
    for (const name of expanded) expanding.delete(name);
  };

  const checkShapes = (set: Field[], expanding: Set<string>) => {
    const typed = set.filter((field) => field.definition);
    const first = typed[0];
    const shape = first && shapeOf(first.definition!.type);
    const other = first && typed.find((field) => shapeOf(field.definition!.type) !== shape);
    if (other) report(first, other, `they return conflicting types "${String(first.definition!.type)}" and "${String(other.definition!.type)}"`);
    eachSubSet(set, expanding, (subSet) => checkShapes(subSet, expanding));
  };

  const checked = new Set<string>();
  const checkCommonParents = (set: Field[], expanding: Set<string>) => {
    // Fields whose parents are different object types never both apply: split by object parent; the others go everywhere.
    const byObjectType = new Map<GraphQLNamedType, Field[]>();
    const anywhere: Field[] = [];
    for (const field of set) {
      if (field.parentType instanceof GraphQLObjectType) {
        const fields = byObjectType.get(field.parentType);
        if (fields) fields.push(field);
        else byObjectType.set(field.parentType, [field]);
      } else anywhere.push(field);
    }
    const parts = byObjectType.size ? [...byObjectType.values()].map((fields) => [...fields, ...anywhere]) : [anywhere];
    for (const part of parts) {
      if (parts.length > 1) {
        // The parts share `anywhere`: a part met before through another path is not checked again.
        const key = part.map((field) => idOf(field.node)).join(',');
        if (checked.has(key)) continue;
        checked.add(key);
      }
      const first = part[0];
      const differentField = part.find((field) => field.node.name.value !== first.node.name.value);
      if (differentField) report(first, differentField, `"${first.node.name.value}" and "${differentField.node.name.value}" are different fields`);
      else {
        const differentArguments = part.find((field) => argumentKey(field.node) !== argumentKey(first.node));
        if (differentArguments) report(first, differentArguments, 'they have differing arguments');
      }
      eachSubSet(part, expanding, (subSet) => checkCommonParents(subSet, expanding));
    }
  };

  return {
    OperationDefinition(operation) {
      const rootType = schema.getRootType(operation.operation) ?? undefined;
      try {
        for (const check of [checkShapes, checkCommonParents]) {
          const expanding = new Set<string>();
          const { byName, expanded } = collect([{ selectionSet: operation.selectionSet, parentType: rootType, parent: undefined }], expanding);
          for (const name of expanded) expanding.add(name);
          for (const set of byName.values()) check(set, expanding);
        }
      } catch (error) {
        if (!(error instanceof TooMuchWork)) throw error;
        context.reportError(new GraphQLError('The operation is too large to check that its fields can be merged.', { nodes: [operation] }));
      }
      return false;
    },
    FragmentDefinition: () => false,
  };
}
