/**
 * API keys: service credentials whose SHA-256 is configured, never the key itself.
 *
 * Contract: a presented key is hashed and compared with every configured hash in
 * constant time (crypto.timingSafeEqual on equal-length digests, no early exit),
 * so response time does not tell how close a guess was or which entry matched.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyConfig } from './config';

/** Prefix of generated keys, so a leaked key is recognisable by secret scanners. */
export const API_KEY_PREFIX = 'mgk_';

/** Keys longer than this are refused before hashing. */
export const MAX_API_KEY_LENGTH = 512;

export function hashApiKey(key: string): string {
  return `sha256:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** A new random key (256 bits) and the `hash` line for the config. */
export function createApiKey(): { key: string; hash: string } {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key) };
}

/** Returns a matcher over the configured keys: the entry whose hash is the presented key's, or undefined. */
export function apiKeyMatcher(entries: readonly ApiKeyConfig[]): (presented: string) => ApiKeyConfig | undefined {
  const digests = entries.map((entry) => Buffer.from(entry.hash.slice('sha256:'.length), 'hex'));
  return (presented) => {
    const digest = createHash('sha256').update(presented, 'utf8').digest();
    let found: ApiKeyConfig | undefined;
    for (let i = 0; i < digests.length; i++) {
      // Every entry is compared, even after a match.
      if (timingSafeEqual(digest, digests[i]) && !found) found = entries[i];
    }
    return found;
  };
}
