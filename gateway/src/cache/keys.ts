/**
 * Cache keys and the authorization fingerprint. Every key starts with the
 * namespace `<prefix>:v<format>:<supergraph hash>:`, so a new supergraph or a
 * new entry format never reads old entries (they expire on their own).
 *
 * The fingerprint is what two principals must share to share a cached answer:
 * their kind (anonymous, user, service) and their sorted, de-duplicated roles,
 * scopes and domains. Anything a rule derives from other claims (an email
 * domain, the id) changes the operation after authorization, which is part of
 * every key; data a subgraph filters by identity is keyed by the principal's id.
 */
import { createHash } from 'node:crypto';
import type { Principal } from '../identity/principal';

/** Bump when the stored format changes. */
export const KEY_FORMAT_VERSION = 1;

export const hashOf = (text: string, length = 32) => createHash('sha256').update(text).digest('base64url').slice(0, length);

/**
 * JSON with object keys sorted at every level, so equal values give equal
 * strings. Written by hand (no library sorts keys without recursing) with an
 * explicit stack: a value nested 100,000 levels deep costs time, never the
 * call stack. A value with `toJSON` (a Date) is written as JSON.stringify
 * would, so two different dates never share a key.
 */
export function stableStringify(value: unknown): string {
  if (!isContainer(value)) return primitiveText(value);
  // On the entity cache's path for every representation: a flat object whose keys are already in order
  // (`{"__typename":…,"id":…}`) is what JSON.stringify writes.
  if (!Array.isArray(value) && isFlatAndOrdered(value as Record<string, unknown>, Object.keys(value as object))) return JSON.stringify(value);
  let text = '';
  // Each frame: a container being written, its entries (keys sorted), and how many are written.
  const stack: { array: boolean; entries: [string, unknown][]; next: number }[] = [];
  const open = (container: object) => {
    const array = Array.isArray(container);
    const entries: [string, unknown][] = array
      ? (container as unknown[]).map((item, i) => [String(i), item])
      : Object.keys(container)
          .sort()
          .flatMap((key) => ((container as Record<string, unknown>)[key] === undefined ? [] : [[key, (container as Record<string, unknown>)[key]] as [string, unknown]]));
    text += array ? '[' : '{';
    stack.push({ array, entries, next: 0 });
  };
  open(value as object);
  while (stack.length) {
    const frame = stack[stack.length - 1];
    if (frame.next === frame.entries.length) {
      text += frame.array ? ']' : '}';
      stack.pop();
      continue;
    }
    const [key, item] = frame.entries[frame.next++];
    if (frame.next > 1) text += ',';
    if (!frame.array) text += `${JSON.stringify(key)}:`;
    if (isContainer(item)) open(item as object);
    else text += primitiveText(item);
  }
  return text;
}

const isContainer = (value: unknown) => value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON !== 'function';

/** A leaf as JSON.stringify writes it in an array (undefined, functions and symbols as null). */
const primitiveText = (value: unknown) => JSON.stringify(value) ?? 'null';

function isFlatAndOrdered(object: Record<string, unknown>, keys: string[]): boolean {
  for (let i = 0; i < keys.length; i++) {
    if (i > 0 && !(keys[i - 1] < keys[i])) return false;
    const item = object[keys[i]];
    if (item !== null && typeof item !== 'string' && typeof item !== 'boolean' && !(typeof item === 'number' && Number.isFinite(item))) return false;
  }
  return true;
}

const sortedSet = (values: readonly string[]) => [...new Set(values)].sort();

/** The authorization fingerprint: equal for principals with equal kind, roles, scopes and domains. */
export function authorizationFingerprint(principal: Principal): string {
  return hashOf(
    stableStringify({ kind: principal.kind, roles: sortedSet(principal.roles), scopes: sortedSet(principal.scopes), domains: sortedSet(principal.domains) }),
    22,
  );
}

/**
 * Keys the principal's own data: its fingerprint plus a hash of its identity, the id and every claim a rule or
 * a subgraph may read beyond the fingerprint (the email, how it was authenticated). A token with am03's subject
 * but another email is another principal here: a row-level rule that reads the email must not see am03's entry.
 */
export const principalScope = (principal: Principal) =>
  `${authorizationFingerprint(principal)}:${hashOf(`principal:${principal.id}\0${principal.email ?? ''}\0${principal.authenticatedBy}`, 22)}`;

/**
 * The namespace of a supergraph: its hash without the subgraphs' URLs, so that
 * instances serving the same schemas from different addresses share entries.
 */
export function namespaceFor(prefix: string, supergraphSdl: string): string {
  const withoutUrls = supergraphSdl.replace(/(@join__graph\(\s*name:\s*"[^"]*")\s*,?\s*url:\s*"[^"]*"/g, '$1');
  return `${prefix}:v${KEY_FORMAT_VERSION}:${hashOf(withoutUrls, 12)}:`;
}

/** Tags name what an entry holds, for invalidation; they do not depend on the namespace. */
export const Tags = {
  /** One entity, by typename and key (`{"id":"42"}`). */
  entity: (typename: string, key: Record<string, unknown>) => `e:${typename}:${stableStringify(normalizeKey(key))}`,
  /** Entries that hold an entity of this type whose key the gateway could not read: dropped by any invalidation of the type's entities. */
  unkeyed: (typename: string) => `u:${typename}`,
  /** Every entry that holds an entity of this type. */
  type: (typename: string) => `t:${typename}`,
};

/** Key values as strings (IDs are strings in responses and representations; a client may send numbers). */
export function normalizeKey(key: Record<string, unknown>): Record<string, unknown> {
  const normalized: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(key)) {
    if (field === '__typename') continue;
    normalized[field] = value !== null && typeof value === 'object' ? normalizeKey(value as Record<string, unknown>) : String(value);
  }
  return normalized;
}
