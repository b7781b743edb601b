/**
 * After execution, puts the fields that splitConflictingRequires moved into a
 * copy of their parent field back into the client's object, so the response
 * is shaped from the client's operation as if the planner had planned it
 * right.
 *
 * Guarantees: a copy's object is merged into the client's object at the same
 * position only when both are the same entity (every scalar field both hold,
 * their keys and __typename among them, is equal, but the required fields
 * whose arguments differ by design; the client never selected those under
 * their own name, aliasRequiredFields saw to that); otherwise the client's
 * object is left without the copy's fields and an error says so, so that a
 * list that changed between the two resolutions can never attach one entity's
 * data to another.
 *
 * Must never: merge anything but the copy at its recorded path.
 */
import { GraphQLError } from 'graphql';
import { deepMerge } from '@apollo/gateway/dist/utilities/deepMerge';
import type { Duplicate } from './rewrites/splitConflictingRequires';

type Data = Record<string, any>;

export function mergeDuplicates(data: Data, duplicates: readonly Duplicate[], errors: GraphQLError[]): void {
  for (const { path, key, alias, required } of duplicates) {
    for (const parent of objectsAt(data, path)) {
      const copy = parent[alias];
      delete parent[alias];
      if (copy == null || parent[key] == null) continue;
      if (!merge(parent[key], copy, required)) errors.push(new GraphQLError(`The two resolutions of "${key}" that its @requires needed differ: its fields from the second are left out`, { path: [...path, key] }));
    }
  }
}

/** Merges `copy` into `target` if every object in it is the same entity as the one at its position in `target`. */
function merge(target: any, copy: any, required: readonly string[]): boolean {
  if (!matches(target, copy, required)) return false;
  if (Array.isArray(target)) target.forEach((item, index) => item != null && copy[index] != null && deepMerge(item, copy[index]));
  else deepMerge(target, copy);
  return true;
}

function matches(target: any, copy: any, required: readonly string[]): boolean {
  if (Array.isArray(target) || Array.isArray(copy)) {
    if (!Array.isArray(target) || !Array.isArray(copy) || target.length !== copy.length) return false;
    return target.every((item, index) => item == null || copy[index] == null || matches(item, copy[index], required));
  }
  if (typeof target !== 'object' || typeof copy !== 'object') return false;
  for (const name of Object.keys(copy)) {
    if (required.includes(name)) continue;
    const value = copy[name];
    if ((value === null || typeof value !== 'object') && Object.hasOwn(target, name) && target[name] !== value) return false;
  }
  return true;
}

function objectsAt(value: any, path: readonly string[]): Data[] {
  if (value == null) return [];
  if (Array.isArray(value)) return value.flatMap((item) => objectsAt(item, path));
  if (path.length === 0) return typeof value === 'object' ? [value] : [];
  return objectsAt(value[path[0]], path.slice(1));
}
