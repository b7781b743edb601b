/**
 * Who the benchmark's requests are from: the ADMIN test principal, who may read
 * every field the workloads ask for, so no field is denied and every
 * configuration returns the same data. meshgate configurations identify it from
 * the development token; the baseline, which has no identity stage, signs its
 * subgraph requests with the same principal, so every subgraph sees exactly the
 * same requests whichever gateway sent them.
 */
import { signDevelopmentToken } from '../gateway/src/identity/devTokens';
import type { SignedPrincipal } from '../subgraphs/lib/signing';
import { ADMIN } from '../tests/principals';

export const BENCH_PRINCIPAL = ADMIN;

/** The principal as meshgate's identity stage derives it from the token, as subgraphs receive it. */
export const SUBGRAPH_PRINCIPAL: SignedPrincipal = {
  id: ADMIN.sub,
  kind: 'user',
  email: ADMIN.email,
  roles: ADMIN.roles ?? [],
  scopes: ADMIN.scopes ?? [],
  domains: ADMIN.domains ?? [],
};

/** The Authorization header every benchmark request carries (the baseline ignores it). */
export async function benchCredentials(): Promise<Record<string, string>> {
  // Valid far longer than any run, so no request meets an expired token.
  const token = await signDevelopmentToken({ ...BENCH_PRINCIPAL, ttlSec: 24 * 3600 });
  return { authorization: `Bearer ${token}` };
}
