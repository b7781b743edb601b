/**
 * The deprecation stage: a response whose operation selects a field of a
 * deprecated data product carries, in `extensions.warnings`, one entry per
 * product: `{ code: 'DEPRECATED_DATA_PRODUCT', product, fields, message }`.
 * The data itself is served unchanged.
 *
 * It reads the operation as the client sent it (it runs outermost, before
 * authorization rewrites it), so a client learns about every deprecated field
 * it asked for, including denied ones. Which fields are deprecated comes from
 * the lifecycle of the supergraph being served (supergraph/lifecycle.ts).
 */
import { TypeInfo, visit, visitWithTypeInfo, Kind, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { ExecutionStage } from '../execution/MeshGateway';
import type { DeprecatedFields } from '../supergraph/lifecycle';

export const DEPRECATED_DATA_PRODUCT = 'DEPRECATED_DATA_PRODUCT';

export type DeprecationWarning = { code: typeof DEPRECATED_DATA_PRODUCT; product: string; fields: string[]; message: string };

/** The deprecated fields an operation selects (with the fragments it spreads), grouped by product. */
export function deprecationWarnings(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, deprecated: DeprecatedFields): DeprecationWarning[] {
  const operations = document.definitions.filter((definition) => definition.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((definition) => definition.name?.value === operationName) : operations[0];
  if (!operation) return [];
  const fragments = document.definitions.filter((definition) => definition.kind === Kind.FRAGMENT_DEFINITION);
  const byProduct = new Map<string, { fields: Set<string>; reason: string }>();
  const typeInfo = new TypeInfo(schema);
  visit(
    { kind: Kind.DOCUMENT, definitions: [operation, ...fragments] },
    visitWithTypeInfo(typeInfo, {
      Field() {
        const parent = typeInfo.getParentType();
        const field = typeInfo.getFieldDef();
        if (!parent || !field) return;
        const found = deprecated.get(`${parent.name}.${field.name}`);
        if (!found) return;
        const entry = byProduct.get(found.product) ?? byProduct.set(found.product, { fields: new Set(), reason: found.reason }).get(found.product)!;
        entry.fields.add(`${parent.name}.${field.name}`);
      },
    }),
  );
  return [...byProduct].map(([product, { fields, reason }]) => ({ code: DEPRECATED_DATA_PRODUCT, product, fields: [...fields].sort(), message: reason }));
}

export function useDeprecationWarnings(deprecated: () => DeprecatedFields): ExecutionStage {
  // Apollo Server reuses one parsed document per query text: the answer is cached per document, operation and lifecycle.
  let cache = new WeakMap<DocumentNode, Map<string, DeprecationWarning[]>>();
  let cachedFor: DeprecatedFields | undefined;
  return (next) => async (requestContext) => {
    const fields = deprecated();
    if (fields !== cachedFor) {
      cache = new WeakMap();
      cachedFor = fields;
    }
    let warnings: DeprecationWarning[] = [];
    if (fields.size) {
      const { document, operationName, schema } = requestContext;
      const byOperation = cache.get(document) ?? cache.set(document, new Map()).get(document)!;
      const key = operationName ?? '';
      warnings = byOperation.get(key) ?? deprecationWarnings(schema, document, operationName, fields);
      byOperation.set(key, warnings);
    }
    const result = await next(requestContext);
    if (!warnings.length) return result;
    const existing = (result.extensions?.warnings as unknown[] | undefined) ?? [];
    return { ...result, extensions: { ...result.extensions, warnings: [...existing, ...warnings] } };
  };
}
