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

/** JSON with object keys sorted at every level, so equal values give equal strings. */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  // On the entity cache's path for every representation: a flat object whose keys are already in order
  // (`{"__typename":…,"id":…}`) is what JSON.stringify writes; otherwise one string built in place.
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (isFlatAndOrdered(object, keys)) return JSON.stringify(object);
  let text = '{';
  for (const key of keys.sort()) {
    const item = object[key];
    if (item === undefined) continue;
    text += `${text.length > 1 ? ',' : ''}${JSON.stringify(key)}:${stableStringify(item)}`;
  }
  return `${text}}`;
}

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

/** Keys the principal's own data: its fingerprint plus a hash of its id. */
export const principalScope = (principal: Principal) => `${authorizationFingerprint(principal)}:${hashOf(`principal:${principal.id}`, 22)}`;

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
