/**
 * The Cache-Control header of a subgraph answer, computed as Apollo Server's
 * cache-control plugin (`calculateHttpHeaders: true`, default maxAge 0) does,
 * without its per-field plugin hook: what one field contributes to the answer's
 * policy follows from the schema's @cacheControl hints alone (no resolver sets
 * hints dynamically), so it is computed once per field when the server starts.
 * Only the fields that contribute anything get a wrapper, which restricts the
 * request's policy each time the field is resolved; every other field runs its
 * own resolver untouched.
 *
 * The one dynamic contribution is `_entities`: like @apollo/subgraph's resolver
 * under the plugin, it takes the hint of each representation's type.
 *
 * Contract: for an answer without errors, the header is exactly the plugin's:
 * the lowest maxAge and PRIVATE if any resolved field is private
 * (`max-age=<s>, public|private`), or `no-store` when that maxAge is 0 or unset.
 */
import {
  defaultFieldResolver,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  type ConstDirectiveNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';

type Scope = 'PUBLIC' | 'PRIVATE';
export type CacheHint = { maxAge?: number; scope?: Scope };
type Annotation = CacheHint & { inheritMaxAge?: boolean };

/** Where a request's policy travels on the GraphQL context, out of the resolvers' way. */
export const RESPONSE_CACHE_POLICY = Symbol('responseCachePolicy');
type WithPolicy = { [RESPONSE_CACHE_POLICY]: ResponseCachePolicy };

/** The most restrictive hint of every field resolved so far (Apollo's CachePolicy.restrict). */
export class ResponseCachePolicy {
  maxAge: number | undefined;
  scope: Scope | undefined;

  restrict(hint: CacheHint) {
    if (hint.maxAge !== undefined && (this.maxAge === undefined || hint.maxAge < this.maxAge)) this.maxAge = hint.maxAge;
    if (hint.scope !== undefined && this.scope !== 'PRIVATE') this.scope = hint.scope;
  }

  /** The header of an answer without errors; answers with errors are never cacheable (`no-store`). */
  header(): string {
    if (!this.maxAge) return 'no-store';
    return `max-age=${this.maxAge}, ${(this.scope ?? 'PUBLIC').toLowerCase()}`;
  }
}

function annotationOf(directives: readonly ConstDirectiveNode[] | undefined): Annotation | undefined {
  const directive = directives?.find((candidate) => candidate.name.value === 'cacheControl');
  if (!directive?.arguments) return undefined;
  const argument = (name: string) => directive.arguments!.find((candidate) => candidate.name.value === name)?.value;
  const maxAge = argument('maxAge');
  const scope = argument('scope');
  const inheritMaxAge = argument('inheritMaxAge');
  const scopeName = scope?.kind === 'EnumValue' && (scope.value === 'PUBLIC' || scope.value === 'PRIVATE') ? scope.value : undefined;
  if (inheritMaxAge?.kind === 'BooleanValue' && inheritMaxAge.value) return { inheritMaxAge: true, scope: scopeName };
  return { maxAge: maxAge?.kind === 'IntValue' ? Number.parseInt(maxAge.value, 10) : undefined, scope: scopeName };
}

/** A type's hint: on its definition, else on the first extension that has one. */
function typeAnnotation(type: GraphQLCompositeType): Annotation {
  for (const node of [type.astNode, ...type.extensionASTNodes]) {
    const annotation = annotationOf(node?.directives);
    if (annotation) return annotation;
  }
  return {};
}

/**
 * What resolving `field` adds to the answer's policy, or null when nothing: the
 * plugin's willResolveField, the hint its resolver restricts it with (only
 * `_entities` has one), and its end-of-field default (maxAge 0 for root fields
 * and for composite fields that neither have a maxAge nor inherit one).
 */
function fieldHint(field: GraphQLField<unknown, unknown>, isRootField: boolean, resolverHint?: CacheHint): CacheHint | null {
  const hint = new ResponseCachePolicy();
  const replace = (annotation: CacheHint) => {
    if (annotation.maxAge !== undefined) hint.maxAge = annotation.maxAge;
    if (annotation.scope !== undefined) hint.scope = annotation.scope;
  };
  let inheritMaxAge = false;
  const target = getNamedType(field.type);
  if (isCompositeType(target)) {
    const annotation = typeAnnotation(target);
    replace(annotation);
    inheritMaxAge = Boolean(annotation.inheritMaxAge);
  }
  const annotation = field.astNode ? (annotationOf(field.astNode.directives) ?? {}) : {};
  if (annotation.inheritMaxAge && hint.maxAge === undefined) {
    inheritMaxAge = true;
    if (annotation.scope) hint.scope = annotation.scope;
  } else {
    replace(annotation);
  }
  if (resolverHint) hint.restrict(resolverHint);
  if (hint.maxAge === undefined && ((isCompositeType(target) && !inheritMaxAge) || isRootField)) hint.maxAge = 0;
  return hint.maxAge !== undefined || hint.scope !== undefined ? { maxAge: hint.maxAge, scope: hint.scope } : null;
}

/**
 * Every representation's type hint, restricted together (the `_entities`
 * resolver's own contribution). Type hints are read from the schema once per
 * type name, not once per representation.
 */
function entityTypesHint(schema: GraphQLSchema) {
  const hints = new Map<string, Annotation | null>();
  const hintOf = (typename: string) => {
    let hint = hints.get(typename);
    if (hint === undefined) {
      const type = schema.getType(typename);
      hints.set(typename, (hint = type && (isObjectType(type) || isInterfaceType(type)) ? typeAnnotation(type) : null));
    }
    return hint;
  };
  return (representations: unknown): CacheHint => {
    const policy = new ResponseCachePolicy();
    for (const representation of Array.isArray(representations) ? representations : []) {
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      const hint = typeof typename === 'string' ? hintOf(typename) : null;
      if (hint) policy.restrict(hint);
    }
    return { maxAge: policy.maxAge, scope: policy.scope };
  };
}

/**
 * Wraps the resolvers of `schema` (a schema of its own: they are changed in place)
 * so that each request's context, given a ResponseCachePolicy under
 * RESPONSE_CACHE_POLICY, collects the hints of the fields it resolves.
 */
export function collectCacheHints(schema: GraphQLSchema): GraphQLSchema {
  const rootTypes = new Set([schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].filter(Boolean));
  for (const type of Object.values(schema.getTypeMap())) {
    // As the plugin: introspection types are never hinted.
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve: GraphQLFieldResolver<unknown, WithPolicy> = field.resolve ?? defaultFieldResolver;
      const isRootField = rootTypes.has(type);
      if (isRootField && field.name === '_entities') {
        const hintOfRepresentations = entityTypesHint(schema);
        field.resolve = (source, args, context, info) => {
          context[RESPONSE_CACHE_POLICY].restrict(fieldHint(field, true, hintOfRepresentations(args.representations))!);
          return resolve(source, args, context, info);
        };
        continue;
      }
      const hint = fieldHint(field, isRootField);
      if (!hint) continue;
      field.resolve = (source, args, context, info) => {
        context[RESPONSE_CACHE_POLICY].restrict(hint);
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}
