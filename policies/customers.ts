/** The customers domain's rules for its own fields, and the row scope of its Customer entity. */
import { allow, or, rule } from 'graphql-shield';
import { defineDomainPolicy, defineRowScope } from '../gateway/src/authorization/policy';
import type { MeshContext } from '../gateway/src/context';
import { hasRole, inDomain, isAuthenticated, isService } from './rules';

/** The owner test: reads the customer's account manager, so it runs after execution, once per distinct manager per request. */
export const isOwnAccountManager = rule('isOwnAccountManager', { cache: 'no_cache', fragment: '... on Customer { accountManager }' })(
  (customer: { accountManager?: string | null }, _args, { principal }: MeshContext) =>
    (principal.email !== undefined && customer.accountManager === principal.email) || 'account managers see their own customers only',
);

/**
 * Declared once for the Customer entity, it covers every field of a customer in every domain
 * (contacts, transactions, transaction summary, orders, order totals, ...) except its id and the
 * fields listed public, and the personal data of everything that belongs to a customer
 * (transactions' descriptions and counterparties, and whatever personal field a domain adds to
 * orders, payments, shipments or conversions). Other readers are not row-checked.
 */
export const ownCustomersOfAccountManagers = defineRowScope({
  name: 'ownCustomersOfAccountManagers',
  entity: 'Customer',
  appliesTo: hasRole('account-manager'),
  owner: isOwnAccountManager,
  // Who manages an account, and the segment and country reports group by, are not the customer's own data.
  publicFields: ['accountManager', 'segment', 'country'],
});

export default defineDomainPolicy(
  'customers',
  {
    Query: {
      customer: isAuthenticated,
      customers: or(hasRole('analyst', 'account-manager', 'admin'), inDomain('customers'), isService),
    },
    Customer: {
      '*': isAuthenticated,
      id: allow,
      accountManager: or(hasRole('account-manager', 'admin'), inDomain('customers')),
    },
  },
  { rowScopes: [ownCustomersOfAccountManagers] },
);
