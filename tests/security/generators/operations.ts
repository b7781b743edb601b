/**
 * Random GraphQL operations over an API schema, as fast-check arbitraries, for
 * the property tests of issue 17 ("Keep it proved").
 *
 * Guarantees: every operation is valid against the schema it was generated
 * from (the property test checks this with graphql-js before sending it):
 * - selection sets of bounded depth and width over the query root's fields,
 *   with aliases, inline fragments, named fragments, `__typename`, and
 *   `@include`/`@skip` fed by variables (given, left to their default, or
 *   given against their default) or by literals;
 * - arguments are small literals: ids "1".."20" (or the ids given), `first` 0..3, a few instants,
 *   enum values, input objects with their required fields;
 * - no two selections that merge can conflict: a field without an alias
 *   always gets its canonical arguments (required ones and `first: 2`), and a
 *   field with random arguments always gets an alias of its own (a1, a2, ...);
 * - a type condition names the parent type itself when the parent is an object
 *   type (the only case in today's supergraph), so fragments always apply to
 *   the objects they are spread on.
 *
 * It must never generate mutations or subscriptions: the property runs many
 * operations against one seeded mesh and must not change its data.
 *
 * Written by hand rather than with a GraphQL-fuzzing library: we need the
 * generated structure to be fast-check values (so that a failure shrinks to a
 * small operation) and arguments that are valid for our data, which the
 * schema-driven fuzzers on npm do not offer together.
 */
import fc from 'fast-check';
import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  print,
  type ConstValueNode,
  type GraphQLArgument,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLInputType,
  GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/** How a selection's `@include`/`@skip` gets its value: a variable sent, a variable left to its default, a variable sent against its default, or a literal. */
export type Condition = { directive: 'include' | 'skip'; value: boolean; passing: 'variable' | 'default' | 'overridden' | 'literal' };

export type GenArgument = { name: string; value: ConstValueNode };

export type GenSelection =
  | { kind: 'field'; name: string; aliased: boolean; args: GenArgument[]; condition: Condition | null; selections: GenSelection[] | null }
  | { kind: 'typename'; aliased: boolean; condition: Condition | null }
  | { kind: 'inline'; typeCondition: string | null; condition: Condition | null; selections: GenSelection[] }
  | { kind: 'named'; typeCondition: string; condition: Condition | null; selections: GenSelection[] };

export type GeneratedOperation = { source: string; variables: Record<string, unknown> };

export type OperationShape = {
  /** Levels of fields below the root field (the root field is level 1). */
  maxDepth: number;
  /** Selections per selection set. */
  maxWidth: number;
  /** The values of ID arguments and input fields. */
  ids: string[];
};

/** Ids that exist in every seeded domain at the test scale. */
const DEFAULT_IDS = Array.from({ length: 20 }, (_, i) => String(i + 1));
const INSTANTS = ['2025-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-05-01T00:00:00Z', '2026-09-01T00:00:00Z', '2026-12-31T00:00:00Z'];

const string = (value: string): ConstValueNode => ({ kind: Kind.STRING, value });
const int = (value: number): ConstValueNode => ({ kind: Kind.INT, value: String(value) });

/** A small valid value of an input type; `argName` picks ranges that make sense for our data (ids, page sizes, instants). */
function valueOf(type: GraphQLInputType, argName: string, ids: string[]): fc.Arbitrary<ConstValueNode> {
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    return fc.array(valueOf(nullable.ofType, argName, ids), { maxLength: 2 }).map((values) => ({ kind: Kind.LIST, values }));
  }
  if (isEnumType(nullable)) return fc.constantFrom(...nullable.getValues().map((value) => value.name)).map((value) => ({ kind: Kind.ENUM, value }));
  if (isInputObjectType(nullable)) {
    const fields = Object.values(nullable.getFields());
    const required = fields.filter((field) => isNonNullType(field.type) && field.defaultValue === undefined);
    const optional = fields.filter((field) => !required.includes(field));
    return fc
      .tuple(
        fc.tuple(...required.map((field) => valueOf(field.type, field.name, ids))),
        fc.subarray(optional, { maxLength: Math.min(2, optional.length) }).chain((chosen) => fc.tuple(...chosen.map((field) => valueOf(field.type, field.name, ids).map((value) => [field.name, value] as const)))),
      )
      .map(([requiredValues, optionalValues]) => ({
        kind: Kind.OBJECT,
        fields: [...required.map((field, i) => [field.name, requiredValues[i]] as const), ...optionalValues].map(([name, value]) => ({
          kind: Kind.OBJECT_FIELD,
          name: { kind: Kind.NAME, value: name },
          value,
        })),
      }));
  }
  if (isScalarType(nullable)) {
    switch (nullable.name) {
      case 'ID':
        return fc.constantFrom(...ids).map(string);
      case 'Int':
        return fc.integer({ min: 0, max: 3 }).map(int);
      case 'Float':
        return fc.constantFrom(0, 0.5, 3, 100).map((value) => ({ kind: Kind.FLOAT, value: String(value) }));
      case 'Boolean':
        return fc.boolean().map((value) => ({ kind: Kind.BOOLEAN, value }));
      case 'DateTime':
        return fc.constantFrom(...INSTANTS).map(string);
      case 'String':
        // A cursor nobody issued is a client error the subgraphs must answer cleanly.
        return argName === 'after' ? fc.constant(string('not-a-cursor')) : fc.constantFrom('a', 'DE', 'e').map(string);
    }
  }
  throw new Error(`no generator for input type ${String(type)} (argument ${argName})`);
}

/** The arguments a field gets when it has no alias: always the same for one field, so unaliased selections merge. */
function canonicalValueOf(type: GraphQLInputType, argName: string): ConstValueNode {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return { kind: Kind.LIST, values: [canonicalValueOf(nullable.ofType, argName)] };
  if (isEnumType(nullable)) return { kind: Kind.ENUM, value: nullable.getValues()[0].name };
  if (isInputObjectType(nullable)) {
    const required = Object.values(nullable.getFields()).filter((field) => isNonNullType(field.type) && field.defaultValue === undefined);
    return {
      kind: Kind.OBJECT,
      fields: required.map((field) => ({ kind: Kind.OBJECT_FIELD, name: { kind: Kind.NAME, value: field.name }, value: canonicalValueOf(field.type, field.name) })),
    };
  }
  switch ((nullable as { name: string }).name) {
    case 'ID':
      return string('1');
    case 'Int':
      return int(argName === 'first' ? 2 : 1);
    case 'Float':
      return { kind: Kind.FLOAT, value: '1.5' };
    case 'Boolean':
      return { kind: Kind.BOOLEAN, value: true };
    case 'DateTime':
      // A range of half a year for required from/to pairs.
      return string(argName === 'to' ? '2026-07-01T00:00:00Z' : '2026-01-01T00:00:00Z');
    default:
      return string('a');
  }
}

const isRequired = (arg: GraphQLArgument) => isNonNullType(arg.type) && arg.defaultValue === undefined;

function canonicalArguments(field: GraphQLField<unknown, unknown>): GenArgument[] {
  return field.args
    .filter((arg) => isRequired(arg) || arg.name === 'first')
    .map((arg) => ({ name: arg.name, value: canonicalValueOf(arg.type, arg.name) }));
}

function randomArguments(field: GraphQLField<unknown, unknown>, ids: string[]): fc.Arbitrary<GenArgument[]> {
  return fc
    .tuple(
      ...field.args.map((arg) => {
        const value = valueOf(arg.type, arg.name, ids).map((v) => ({ name: arg.name, value: v }));
        if (isRequired(arg)) return value;
        // Page sizes are usually given (keeps the cost estimate small); cursors rarely; other arguments now and then.
        const [omitted, given] = arg.name === 'first' ? [1, 4] : arg.name === 'after' ? [19, 1] : [2, 1];
        return fc.oneof({ weight: omitted, arbitrary: fc.constant(null) }, { weight: given, arbitrary: value });
      }),
    )
    .map((args) => args.filter((arg): arg is GenArgument => arg !== null));
}

/** One selection in five is conditional. */
const condition: fc.Arbitrary<Condition | null> = fc.oneof(
  { weight: 4, arbitrary: fc.constant(null) },
  {
    weight: 1,
    arbitrary: fc.record({
      directive: fc.constantFrom('include' as const, 'skip' as const),
      value: fc.boolean(),
      passing: fc.constantFrom('variable' as const, 'default' as const, 'overridden' as const, 'literal' as const),
    }),
  },
);

/** Selections of a selection set at `type`, `depth` levels of fields still allowed below it. */
function selectionsOf(schema: GraphQLSchema, type: GraphQLCompositeType, depth: number, shape: OperationShape): fc.Arbitrary<GenSelection[]> {
  const fields = isObjectType(type) ? Object.values(type.getFields()) : [];
  const leaves = fields.filter((field) => isLeafType(getNamedType(field.type)));
  const objects = depth > 0 ? fields.filter((field) => isCompositeType(getNamedType(field.type))) : [];
  const fieldSelection = (field: GraphQLField<unknown, unknown>): fc.Arbitrary<GenSelection> => {
    const named = getNamedType(field.type);
    const children = isCompositeType(named) ? fc.constant(null).chain(() => selectionsOf(schema, named, depth - 1, shape)) : fc.constant(null);
    return fc.record({
      kind: fc.constant('field' as const),
      name: fc.constant(field.name),
      aliased: fc.boolean(),
      condition,
      selections: children,
    }).chain((selection) =>
      (selection.aliased ? randomArguments(field, shape.ids) : fc.constant(canonicalArguments(field))).map((args) => ({ ...selection, args })),
    );
  };
  const choices: fc.WeightedArbitrary<GenSelection>[] = [];
  if (leaves.length) choices.push({ weight: 4, arbitrary: fc.constantFrom(...leaves).chain(fieldSelection) });
  // Ids are picked more often: row-level checks need to know which object they look at.
  const id = leaves.find((field) => field.name === 'id');
  if (id) choices.push({ weight: 2, arbitrary: fieldSelection(id) });
  if (objects.length) choices.push({ weight: 4, arbitrary: fc.constantFrom(...objects).chain(fieldSelection) });
  choices.push({ weight: 1, arbitrary: fc.record({ kind: fc.constant('typename' as const), aliased: fc.boolean(), condition }) });
  if (depth > 0) {
    // A fragment spends a level of the budget too, so generation always ends.
    const fragmentBody = fc.constant(null).chain(() => selectionsOf(schema, type, depth - 1, shape));
    choices.push({
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('inline' as const), typeCondition: fc.constantFrom(null, type.name), condition, selections: fragmentBody }),
    });
    choices.push({
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('named' as const), typeCondition: fc.constant(type.name), condition, selections: fragmentBody }),
    });
  }
  return fc.array(fc.oneof(...choices), { minLength: 1, maxLength: shape.maxWidth });
}

/**
 * Operations over the query root: one to `maxWidth` root selections, each a
 * field (of `rootFields` when given), a fragment on the root, or `__typename`.
 */
export function operationArbitrary(schema: GraphQLSchema, options: Partial<OperationShape> & { rootFields?: string[] } = {}): fc.Arbitrary<GenSelection[]> {
  const shape = { maxDepth: options.maxDepth ?? 7, maxWidth: options.maxWidth ?? 3, ids: options.ids ?? DEFAULT_IDS };
  const query = schema.getQueryType()!;
  if (!options.rootFields) return selectionsOf(schema, query, shape.maxDepth - 1, shape);
  const unknown = options.rootFields.filter((name) => !query.getFields()[name]);
  if (unknown.length) throw new Error(`not fields of ${query.name}: ${unknown.join(', ')}`);
  // A root type narrowed to the chosen fields; everything below them is the real schema.
  const narrowed = new GraphQLObjectType({ ...query.toConfig(), fields: () => Object.fromEntries(Object.entries(query.toConfig().fields).filter(([name]) => options.rootFields!.includes(name))) });
  return selectionsOf(schema, narrowed, shape.maxDepth - 1, shape);
}

/**
 * Prints generated selections as an operation named `operationName`, with its
 * variables. Aliases, fragment names and variable names are numbered here, in
 * document order, so shrinking never produces a clash.
 */
export function toOperation(root: GenSelection[], operationName: string): GeneratedOperation {
  let aliases = 0;
  const variables: Record<string, unknown> = {};
  const variableDefinitions: string[] = [];
  const fragments: string[] = [];
  const directiveOf = (given: Condition | null): string => {
    if (!given) return '';
    if (given.passing === 'literal') return ` @${given.directive}(if: ${given.value})`;
    const name = `c${variableDefinitions.length}`;
    if (given.passing === 'variable') {
      variableDefinitions.push(`$${name}: Boolean!`);
      variables[name] = given.value;
    } else if (given.passing === 'default') {
      variableDefinitions.push(`$${name}: Boolean = ${given.value}`);
    } else {
      variableDefinitions.push(`$${name}: Boolean = ${!given.value}`);
      variables[name] = given.value;
    }
    return ` @${given.directive}(if: $${name})`;
  };
  const printSelections = (selections: GenSelection[]): string => `{ ${selections.map(printSelection).join(' ')} }`;
  const printSelection = (selection: GenSelection): string => {
    switch (selection.kind) {
      case 'typename':
        return `${selection.aliased ? `a${++aliases}: ` : ''}__typename${directiveOf(selection.condition)}`;
      case 'field': {
        const alias = selection.aliased ? `a${++aliases}: ` : '';
        const args = selection.args.length ? `(${selection.args.map((arg) => `${arg.name}: ${print(arg.value)}`).join(', ')})` : '';
        const directive = directiveOf(selection.condition);
        return `${alias}${selection.name}${args}${directive}${selection.selections ? ` ${printSelections(selection.selections)}` : ''}`;
      }
      case 'inline':
        return `...${selection.typeCondition ? ` on ${selection.typeCondition}` : ''}${directiveOf(selection.condition)} ${printSelections(selection.selections)}`;
      case 'named': {
        // The definition's place is taken first, so fragments nested in it come after it.
        const index = fragments.push('') - 1;
        const directive = directiveOf(selection.condition);
        fragments[index] = `fragment F${index} on ${selection.typeCondition} ${printSelections(selection.selections)}`;
        return `...F${index}${directive}`;
      }
    }
  };
  const body = printSelections(root);
  const source = [`query ${operationName}${variableDefinitions.length ? `(${variableDefinitions.join(', ')})` : ''} ${body}`, ...fragments].join('\n');
  return { source, variables };
}
