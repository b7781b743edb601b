/** The customers domain's rules for its own fields. */
import { allow, not, or, rule } from 'graphql-shield';
import { defineDomainPolicy } from '../gateway/src/authorization/policy';
import type { MeshContext } from '../gateway/src/context';
import { hasRole, inDomain, isAuthenticated, isService } from './rules';

/** Row-level: reads the customer's account manager, so it runs on each customer after execution. */
export const isOwnAccountManager = rule('isOwnAccountManager', { cache: 'no_cache', fragment: '... on Customer { accountManager }' })(
  (customer: { accountManager?: string | null }, _args, { principal }: MeshContext) =>
    (principal.email !== undefined && customer.accountManager === principal.email) || 'account managers see the contacts of their own customers only',
);

// Account managers see the contacts of their own customers only; other readers of PII see all.
const contactRule = or(not(hasRole('account-manager')), isOwnAccountManager);

export default defineDomainPolicy('customers', {
  Query: {
    customer: isAuthenticated,
    customers: or(hasRole('analyst', 'account-manager', 'admin'), inDomain('customers'), isService),
  },
  Customer: {
    '*': isAuthenticated,
    id: allow,
    name: contactRule,
    email: contactRule,
    phone: contactRule,
    accountManager: or(hasRole('account-manager', 'admin'), inDomain('customers')),
  },
});
