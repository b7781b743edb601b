/**
 * Which schema coordinates an official operation uses: fields, arguments,
 * input fields, enum values and named types, read with graphql-js's TypeInfo
 * against an API schema, written as schema/breakingChanges.ts writes them
 * (`Type`, `Type.field`, `Type.field(arg:)`, `Input.field`, `Enum.VALUE`).
 * The governance check (schema/officialOperationUsage.ts) and the catalog
 * (which products each operation reads) share it.
 *
 * Never throws for an operation that does not fit the schema: what cannot be
 * read there is simply not used there.
 */
import { getNamedType, parse, TypeInfo, visit, visitWithTypeInfo, type GraphQLSchema } from 'graphql';
import type { OfficialOperation } from './officialOperations';

export function coordinatesUsedBy(document: string, schema: GraphQLSchema): Set<string> {
  const used = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    parse(document),
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
  return used;
}

export type Usage = ReadonlyMap<string, readonly OfficialOperation[]>;

/** For each coordinate, the official operations that use it. */
export function usageOf(operations: readonly OfficialOperation[], schema: GraphQLSchema): Usage {
  const usage = new Map<string, OfficialOperation[]>();
  for (const operation of operations) {
    for (const coordinate of coordinatesUsedBy(operation.document, schema)) usage.set(coordinate, [...(usage.get(coordinate) ?? []), operation]);
  }
  return usage;
}
