/**
 * Which entities a response holds, so that invalidating one entity drops the
 * cached responses that contain it.
 *
 * Before execution, `withTagFields` adds to every selection set on an entity
 * type (or an abstract type with entity members) a `__typename` under a
 * reserved alias, and, where the selection already selects all fields of a key,
 * those key fields again under reserved aliases. It never adds a field the
 * operation (after authorization) does not already select, besides
 * `__typename`: no subgraph is asked for anything new.
 *
 * After execution, `collectTags` reads and removes those aliases: an entity
 * with a readable key gets `e:<Type>:<key>`, one without gets `u:<Type>`
 * (dropped by any entity invalidation of the type), and every entity type
 * present gets `t:<Type>`.
 */
import {
  isAbstractType,
  isObjectType,
  Kind,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { HELPER_PREFIX } from '../authorization/authorizeOperation';
import { Tags } from './keys';
import type { EntityInfo } from './supergraphEntities';

/** Reserved aliases of the cache (within the gateway's reserved `mg__` prefix). */
export const CACHE_HELPER_PREFIX = `${HELPER_PREFIX}c_`;
const TYPENAME_ALIAS = `${CACHE_HELPER_PREFIX}tn`;
const KEY_ALIAS = `${CACHE_HELPER_PREFIX}k_`;

const field = (alias: string, name: string): FieldNode => ({ kind: Kind.FIELD, alias: { kind: Kind.NAME, value: alias }, name: { kind: Kind.NAME, value: name } });

const directlySelected = (selectionSet: SelectionSetNode) =>
  new Set(
    selectionSet.selections.flatMap((selection: SelectionNode) =>
      selection.kind === Kind.FIELD && !selection.arguments?.length && !selection.selectionSet ? [selection.name.value] : [],
    ),
  );

/** The operation with the cache's helper fields; unchanged when it touches no entity type. */
export function withTagFields(document: DocumentNode, schema: GraphQLSchema, entities: ReadonlyMap<string, EntityInfo>): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      SelectionSet: {
        leave(selectionSet) {
          const parent = typeInfo.getParentType();
          if (!parent) return undefined;
          const candidates = isObjectType(parent) ? [parent] : isAbstractType(parent) ? schema.getPossibleTypes(parent) : [];
          const keys = candidates.flatMap((type) => entities.get(type.name)?.keys ?? []);
          if (keys.length === 0) return undefined;
          const selected = directlySelected(selectionSet);
          const keyFields = new Set(keys.filter((key) => key.every((name) => selected.has(name))).flat());
          return {
            ...selectionSet,
            selections: [...selectionSet.selections, field(TYPENAME_ALIAS, '__typename'), ...[...keyFields].map((name) => field(`${KEY_ALIAS}${name}`, name))],
          };
        },
      },
    }),
  );
}

/**
 * Reads the entities the helper fields reveal and removes the helpers, in
 * place. Returns the tags; past `maxTags` entity tags, the entity tags of a
 * type collapse into its `u:` tag (bounded, and still dropped by any
 * invalidation of the type's entities).
 */
export function collectTags(data: unknown, entities: ReadonlyMap<string, EntityInfo>, maxTags = 500): Set<string> {
  const tags = new Set<string>();
  const visitValue = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(visitValue);
    if (!value || typeof value !== 'object') return;
    const object = value as Record<string, unknown>;
    const typename = object[TYPENAME_ALIAS];
    if (typeof typename === 'string') {
      const info = entities.get(typename);
      if (info) {
        tags.add(Tags.type(typename));
        let keyed = false;
        for (const key of info.keys) {
          if (!key.every((name) => object[`${KEY_ALIAS}${name}`] !== undefined && object[`${KEY_ALIAS}${name}`] !== null)) continue;
          tags.add(Tags.entity(typename, Object.fromEntries(key.map((name) => [name, object[`${KEY_ALIAS}${name}`]]))));
          keyed = true;
        }
        if (!keyed) tags.add(Tags.unkeyed(typename));
      }
    }
    for (const name of Object.keys(object)) {
      if (name.startsWith(CACHE_HELPER_PREFIX)) delete object[name];
      else visitValue(object[name]);
    }
  };
  visitValue(data);
  return boundTags(tags, maxTags);
}

/** Keeps at most `maxTags` tags by collapsing entity tags into their type's `u:` tag. */
export function boundTags(tags: Set<string>, maxTags: number): Set<string> {
  if (tags.size <= maxTags) return tags;
  const bounded = new Set<string>();
  for (const tag of tags) {
    if (tag.startsWith('e:')) bounded.add(Tags.unkeyed(tag.slice(2, tag.indexOf(':', 2))));
    else bounded.add(tag);
  }
  return bounded;
}

/** The tags to invalidate for what a mutation returned: each keyed entity, and the whole type where a key was not readable. */
export function invalidationTagsOf(collected: Set<string>): string[] {
  const tags = new Set<string>();
  for (const tag of collected) {
    const typename = tag.slice(2, tag.indexOf(':', 2) < 0 ? undefined : tag.indexOf(':', 2));
    if (tag.startsWith('e:')) {
      tags.add(tag);
      tags.add(Tags.unkeyed(typename));
    } else if (tag.startsWith('u:')) tags.add(Tags.type(typename));
  }
  return [...tags];
}
