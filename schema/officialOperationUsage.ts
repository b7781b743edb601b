/**
 * Official operations as known usage, for `npm run check`: which schema
 * coordinates each official operation uses (fields, arguments, input fields,
 * enum values and named types, read with graphql-js's TypeInfo against the
 * current supergraph), and whether each still validates against the
 * candidate. A breaking change to a used coordinate is an error naming the
 * operations and their owners; a removed field no official operation uses
 * is only a warning (sandbox queries may still use it, and the check cannot
 * know them).
 *
 * Never throws for an operation that does not fit a schema: what it cannot
 * read there is simply not used there.
 */
import { getNamedType, parse, TypeInfo, validate, visit, visitWithTypeInfo, type GraphQLSchema } from 'graphql';
import type { OfficialOperation } from '../gateway/src/operations/officialOperations';

export type Usage = ReadonlyMap<string, readonly OfficialOperation[]>;

/** Coordinates as schema/breakingChanges.ts writes them: `Type`, `Type.field`, `Type.field(arg:)`, `Enum.VALUE`, `Input.field`. */
export function usageOf(operations: readonly OfficialOperation[], schema: GraphQLSchema): Usage {
  const usage = new Map<string, OfficialOperation[]>();
  for (const operation of operations) {
    const used = new Set<string>();
    const typeInfo = new TypeInfo(schema);
    visit(
      parse(operation.document),
      visitWithTypeInfo(typeInfo, {
        Field(node) {
          const parent = typeInfo.getParentType();
          const type = typeInfo.getType();
          if (parent) used.add(`${parent.name}.${node.name.value}`);
          if (type) used.add(getNamedType(type).name);
        },
        Argument(node) {
          const field = typeInfo.getFieldDef();
          const parent = typeInfo.getParentType();
          if (field && parent) used.add(`${parent.name}.${field.name}(${node.name.value}:)`);
        },
        ObjectField(node) {
          const input = typeInfo.getParentInputType();
          if (input) used.add(`${getNamedType(input).name}.${node.name.value}`);
        },
        EnumValue(node) {
          const type = typeInfo.getInputType();
          if (type) used.add(`${getNamedType(type).name}.${node.value}`);
        },
        NamedType(node) {
          used.add(node.name.value);
        },
      }),
    );
    for (const coordinate of used) usage.set(coordinate, [...(usage.get(coordinate) ?? []), operation]);
  }
  return usage;
}

/** "Revenue (owner marketing, operations/marketing/Revenue.graphql)" */
export const describeOperation = (operation: OfficialOperation) => `${operation.name} (owner ${operation.owner}, operations/${operation.file})`;

/** The official operations that no longer validate against `schema`, each with its first errors. */
export function brokenOperations(operations: readonly OfficialOperation[], schema: GraphQLSchema): { operation: OfficialOperation; errors: string[] }[] {
  return operations.flatMap((operation) => {
    const errors = validate(schema, parse(operation.document)).map((error) => error.message);
    return errors.length ? [{ operation, errors }] : [];
  });
}
