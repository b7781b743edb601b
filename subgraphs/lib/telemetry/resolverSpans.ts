/**
 * Resolver spans in a subgraph: one span (`meshgate.resolve`) per root field
 * of Query and Mutation, `_entities` included, so one span covers each batch
 * of entities the gateway asks for (meshgate.entities: how many, and their
 * types). Fields below the root are not spanned: a span per resolved scalar
 * would cost more than the work it measures. Their SQL shows as `meshgate.sql`
 * spans (sqlSpans.ts) under the root field that led to it.
 *
 * Wrapping is done once per executable schema; while tracing is off a wrapped
 * resolver costs one boolean test. It never changes what a resolver returns or
 * throws, and never records arguments (they carry the request's filters).
 */
import { defaultFieldResolver, type GraphQLSchema } from 'graphql';
import { inSpan, tracingActive } from './spans';

export function traceRootFields(schema: GraphQLSchema, subgraph: string): GraphQLSchema {
  for (const root of [schema.getQueryType(), schema.getMutationType()]) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const resolve = field.resolve ?? defaultFieldResolver;
      const name = `${root.name}.${field.name}`;
      field.resolve = (source, args, context, info) => {
        if (!tracingActive()) return resolve(source, args, context, info);
        return inSpan('meshgate.resolve', { attributes: () => ({ 'meshgate.subgraph': subgraph, 'graphql.field.path': name, ...entitiesOf(field.name, args) }) }, async () => resolve(source, args, context, info));
      };
    }
  }
  return schema;
}

/** For `_entities`: how many representations, and which types (a short, fixed set). */
function entitiesOf(field: string, args: Record<string, unknown>) {
  if (field !== '_entities' || !Array.isArray(args.representations)) return {};
  const types = [...new Set(args.representations.map((representation: { __typename?: unknown }) => String(representation?.__typename)))].sort();
  return { 'meshgate.entities': args.representations.length, 'meshgate.entities.types': types };
}
