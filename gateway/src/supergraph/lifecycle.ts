/**
 * Data-product lifecycle, applied when the supergraph is composed: each
 * subgraph's descriptor status decides what it contributes.
 *
 * - draft: left out of the supergraph unless the gateway runs in development mode;
 * - active: composed as it is;
 * - deprecated: composed with `@deprecated(reason: "Data product <id> is deprecated: ...")`
 *   on every field that only this subgraph defines (never on key fields, @external
 *   fields, or fields other subgraphs also define), so introspection and tools see
 *   it and the deprecation stage can warn the clients that still use them;
 * - retired: left out of the supergraph.
 *
 * A subgraph without a descriptor (not a data product, or one whose status could
 * not be read) is composed as it is. Pure: no I/O, the input is never changed.
 */
import { Kind, parse, type ConstDirectiveNode, type DocumentNode, type FieldDefinitionNode, type StringValueNode } from 'graphql';
import type { DataProductDescriptor } from '../../../subgraphs/lib/descriptor';
import type { SubgraphSource } from '../../../schema/compose';

export type SubgraphSnapshot = SubgraphSource & {
  /** The data product the subgraph serves; null when unknown. */
  descriptor: DataProductDescriptor | null;
  /** The schema's text as the subgraph served it, when it was fetched (cheaper to compare than to print typeDefs). */
  sdl?: string;
};

export type ExcludedProduct = { subgraph: string; product: string; status: 'draft' | 'retired' };

/** A field marked deprecated because its data product is: `Type.field` → the product and the reason. */
export type DeprecatedFields = Map<string, { product: string; reason: string }>;

export type LifecyclePlan = {
  /** What to compose: the included subgraphs, deprecated ones with their fields marked. */
  subgraphs: SubgraphSource[];
  excluded: ExcludedProduct[];
  deprecated: DeprecatedFields;
};

type ObjectLike = Extract<DocumentNode['definitions'][number], { fields?: readonly FieldDefinitionNode[] }>;

const OBJECT_KINDS: string[] = [Kind.OBJECT_TYPE_DEFINITION, Kind.OBJECT_TYPE_EXTENSION, Kind.INTERFACE_TYPE_DEFINITION, Kind.INTERFACE_TYPE_EXTENSION];
const isObjectLike = (definition: DocumentNode['definitions'][number]): definition is ObjectLike => OBJECT_KINDS.includes(definition.kind);
const hasDirective = (node: { directives?: readonly ConstDirectiveNode[] }, name: string) => Boolean(node.directives?.some((d) => d.name.value === name));

/** The top-level fields named by a type's @key directives (`id`, or `id sku` in "id sku { code }"). */
function keyFieldsOf(definition: ObjectLike): Set<string> {
  const names = new Set<string>();
  for (const directive of definition.directives ?? []) {
    if (directive.name.value !== 'key') continue;
    const fields = directive.arguments?.find((arg) => arg.name.value === 'fields')?.value as StringValueNode | undefined;
    if (!fields || fields.kind !== Kind.STRING) continue;
    const selection = parse(`{ ${fields.value} }`).definitions[0];
    if (selection.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const field of selection.selectionSet.selections) if (field.kind === Kind.FIELD) names.add(field.name.value);
  }
  return names;
}

/** Every `Type.field` a subgraph resolves itself (not @external). */
function definedFields(typeDefs: DocumentNode): Set<string> {
  const coordinates = new Set<string>();
  for (const definition of typeDefs.definitions) {
    if (!isObjectLike(definition)) continue;
    for (const field of definition.fields ?? []) {
      if (!hasDirective(field, 'external')) coordinates.add(`${definition.name.value}.${field.name.value}`);
    }
  }
  return coordinates;
}

export function deprecationReason(descriptor: DataProductDescriptor): string {
  const { deprecation } = descriptor;
  return [
    `Data product ${descriptor.id} is deprecated: ${deprecation?.reason ?? 'see its catalog entry'}`,
    deprecation?.replacedBy ? `use ${deprecation.replacedBy} instead` : null,
    deprecation?.sunset ? `it will be retired on ${deprecation.sunset}` : null,
  ]
    .filter(Boolean)
    .join('; ');
}

/** Adds @deprecated to the fields only this subgraph defines; returns the new document and what it marked. */
function markDeprecated(typeDefs: DocumentNode, reason: string, definedElsewhere: Set<string>): { typeDefs: DocumentNode; marked: string[] } {
  const marked: string[] = [];
  const directive: ConstDirectiveNode = {
    kind: Kind.DIRECTIVE,
    name: { kind: Kind.NAME, value: 'deprecated' },
    arguments: [{ kind: Kind.ARGUMENT, name: { kind: Kind.NAME, value: 'reason' }, value: { kind: Kind.STRING, value: reason } }],
  };
  const definitions = typeDefs.definitions.map((definition) => {
    if (!isObjectLike(definition) || !definition.fields) return definition;
    const keys = keyFieldsOf(definition);
    const fields = definition.fields.map((field) => {
      const coordinate = `${definition.name.value}.${field.name.value}`;
      if (keys.has(field.name.value) || hasDirective(field, 'external') || hasDirective(field, 'deprecated') || definedElsewhere.has(coordinate)) return field;
      marked.push(coordinate);
      return { ...field, directives: [...(field.directives ?? []), directive] };
    });
    return { ...definition, fields };
  });
  return { typeDefs: { ...typeDefs, definitions }, marked };
}

/** Decides, from each subgraph's descriptor and the gateway's mode, what the supergraph is composed from. */
export function planLifecycle(snapshots: SubgraphSnapshot[], mode: 'development' | 'production'): LifecyclePlan {
  const excluded: ExcludedProduct[] = [];
  const included = snapshots.filter((snapshot) => {
    const status = snapshot.descriptor?.status;
    if (status === 'retired' || (status === 'draft' && mode !== 'development')) {
      excluded.push({ subgraph: snapshot.name, product: snapshot.descriptor!.id, status });
      return false;
    }
    return true;
  });
  const deprecated: DeprecatedFields = new Map();
  const subgraphs = included.map(({ name, url, typeDefs, descriptor }) => {
    if (descriptor?.status !== 'deprecated') return { name, url, typeDefs };
    const definedElsewhere = new Set(included.filter((other) => other.name !== name).flatMap((other) => [...definedFields(other.typeDefs)]));
    const reason = deprecationReason(descriptor);
    const result = markDeprecated(typeDefs, reason, definedElsewhere);
    for (const coordinate of result.marked) deprecated.set(coordinate, { product: descriptor.id, reason });
    return { name, url, typeDefs: result.typeDefs };
  });
  return { subgraphs, excluded, deprecated };
}
