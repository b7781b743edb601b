/**
 * List sizes a graph declares with Apollo's demand-control directive
 * `@listSize(assumedSize:, slicingArguments:)` (https://specs.apollo.dev/cost/v0.1),
 * read from the supergraph, where composition keeps it, and kept per API
 * schema (weakly, so a replaced supergraph takes its sizes with it). The cost
 * rule asks `listSizeDirectiveOf(schema, "Query.users")`. Never throws on a
 * supergraph it cannot read: without sizes, the cost model assumes
 * `defaultListSize` as before. `sizedFields` is not read yet.
 */
import { Kind, parse, type ConstDirectiveNode, type GraphQLSchema } from 'graphql';

export type ListSizeDirective = { assumedSize?: number; slicingArguments?: string[] };

const bySchema = new WeakMap<GraphQLSchema, ReadonlyMap<string, ListSizeDirective>>();

/** The name `@listSize` has in this supergraph: its @link import (maybe renamed with `as`), else `cost__listSize`. */
function listSizeNames(definitions: ReturnType<typeof parse>['definitions']): Set<string> {
  const names = new Set(['cost__listSize', 'federation__listSize']);
  for (const definition of definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const link of definition.directives ?? []) {
      if (link.name.value !== 'link') continue;
      const url = link.arguments?.find((arg) => arg.name.value === 'url')?.value;
      if (url?.kind !== Kind.STRING || !/specs\.apollo\.dev\/(cost|federation)\//.test(url.value)) continue;
      const imports = link.arguments?.find((arg) => arg.name.value === 'import')?.value;
      if (imports?.kind !== Kind.LIST) continue;
      for (const item of imports.values) {
        if (item.kind === Kind.STRING && item.value === '@listSize') names.add('listSize');
        if (item.kind === Kind.OBJECT) {
          const name = item.fields.find((field) => field.name.value === 'name')?.value;
          const as = item.fields.find((field) => field.name.value === 'as')?.value;
          if (name?.kind === Kind.STRING && name.value === '@listSize' && as?.kind === Kind.STRING) names.add(as.value.replace(/^@/, ''));
        }
      }
    }
  }
  return names;
}

function read(directive: ConstDirectiveNode): ListSizeDirective {
  const result: ListSizeDirective = {};
  for (const arg of directive.arguments ?? []) {
    if (arg.name.value === 'assumedSize' && arg.value.kind === Kind.INT) result.assumedSize = Number(arg.value.value);
    if (arg.name.value === 'slicingArguments') {
      const values = arg.value.kind === Kind.LIST ? arg.value.values : [arg.value];
      result.slicingArguments = values.flatMap((value) => (value.kind === Kind.STRING ? [value.value] : []));
    }
  }
  return result;
}

/** Reads the supergraph's @listSize directives and keeps them for this API schema. */
export function registerListSizes(apiSchema: GraphQLSchema, supergraphSdl: string): void {
  const sizes = new Map<string, ListSizeDirective>();
  try {
    const { definitions } = parse(supergraphSdl, { noLocation: true });
    const names = listSizeNames(definitions);
    for (const definition of definitions) {
      if (!('fields' in definition) || !definition.fields || !('name' in definition) || !definition.name) continue;
      if (definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || definition.kind === Kind.INPUT_OBJECT_TYPE_EXTENSION) continue;
      for (const field of definition.fields) {
        const directive = field.directives?.find((candidate) => names.has(candidate.name.value));
        if (directive) sizes.set(`${definition.name.value}.${field.name.value}`, read(directive));
      }
    }
  } catch {
    // A supergraph the gateway could not parse never got this far; nothing to read.
  }
  bySchema.set(apiSchema, sizes);
}

export function listSizeDirectiveOf(schema: GraphQLSchema, coordinate: string): ListSizeDirective | undefined {
  return bySchema.get(schema)?.get(coordinate);
}
