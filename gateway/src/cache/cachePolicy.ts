/**
 * Cache hints as the subgraphs send them. Each domain sets `@cacheControl` in
 * its schema; Apollo Server's cache-control plugin in the subgraph turns the
 * hints of every type and field an answer touched into one Cache-Control
 * header (`max-age=N, public|private`, or `no-store`). The gateway combines
 * the hints of every fetch of a request: the most restrictive wins (smallest
 * max-age; PRIVATE over PUBLIC).
 */

export type CacheScope = 'PUBLIC' | 'PRIVATE';
export type CacheHint = { maxAge: number; scope: CacheScope };

/**
 * The hint of one subgraph answer. No header at all (a subgraph that does not
 * compute hints) gets `defaultTtlSec`; `no-store`, `no-cache` or an unreadable
 * max-age mean "do not cache".
 */
export function hintFromCacheControl(header: string | null | undefined, defaultTtlSec: number): CacheHint {
  if (header === null || header === undefined || header.trim() === '') return { maxAge: defaultTtlSec, scope: 'PUBLIC' };
  let maxAge = 0;
  let scope: CacheScope = 'PUBLIC';
  let uncacheable = false;
  for (const part of header.split(',')) {
    const [name, value] = part.trim().toLowerCase().split('=');
    if (name === 'max-age') maxAge = /^\d+$/.test(value ?? '') ? Number(value) : 0;
    else if (name === 'private') scope = 'PRIVATE';
    else if (name === 'no-store' || name === 'no-cache') uncacheable = true;
  }
  return { maxAge: uncacheable ? 0 : maxAge, scope };
}

/** The combined policy of a request: starts unrestricted, each hint can only tighten it. */
export class CachePolicy {
  maxAge: number | undefined;
  scope: CacheScope = 'PUBLIC';

  restrict(hint: Partial<CacheHint>) {
    if (hint.maxAge !== undefined && (this.maxAge === undefined || hint.maxAge < this.maxAge)) this.maxAge = hint.maxAge;
    if (hint.scope === 'PRIVATE') this.scope = 'PRIVATE';
  }

  /** Seconds to keep the answer: the most restrictive hint, capped; without any hint (no subgraph asked) `fallbackTtlSec`. */
  ttl(fallbackTtlSec: number, maxTtlSec: number): number {
    return Math.max(0, Math.min(this.maxAge ?? fallbackTtlSec, maxTtlSec));
  }
}

/** Seconds left before `expiresAt` (epoch ms), rounded down. */
export const secondsLeft = (expiresAt: number, now = Date.now()) => Math.max(0, Math.floor((expiresAt - now) / 1000));
