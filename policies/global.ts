/**
 * Rules every domain inherits. A domain policy can narrow these, never widen
 * them (the gateway refuses to start otherwise).
 */
import { allow, deny, or } from 'graphql-shield';
import { defineGlobalPolicy } from '../gateway/src/authorization/policy';
import { hasEmailDomain, hasScope, isAuthenticated, isService } from './rules';

export const COMPANY_EMAIL_DOMAIN = 'meshgate.example';

export default defineGlobalPolicy({
  // Deny by default: a field no policy covers is never served.
  fallbackRule: deny,
  // Every field a subgraph classifies as PII (@pii, or pii: in its dataproduct.yaml).
  piiRule: hasScope('pii:read'),
  // Named policies that subgraph schemas reference with @policy.
  namedPolicies: {
    internal: or(isService, hasEmailDomain(COMPANY_EMAIL_DOMAIN)),
  },
  rules: {
    // Only the product catalog is public; every other entry point needs an identity.
    Query: { '*': isAuthenticated, product: allow, products: allow },
    Mutation: { '*': isAuthenticated },
    // Pagination plumbing is guarded by the field that returns it.
    PageInfo: allow,
    '*Connection': allow,
    '*Edge': allow,
  },
});
