/** The sales domain's rules for orders and the order history it adds to customers. */
import { or } from 'graphql-shield';
import { defineDomainPolicy } from '../gateway/src/authorization/policy';
import { hasRole, inDomain, isAuthenticated, isService } from './rules';

const readsOrders = or(hasRole('analyst', 'account-manager', 'admin'), inDomain('sales'), isService);

export default defineDomainPolicy('sales', {
  Query: { order: isAuthenticated, orders: readsOrders },
  // The schema also requires the orders:write scope (@requiresScopes); both must allow.
  Mutation: { updateOrderStatus: or(inDomain('sales'), isService) },
  Order: isAuthenticated,
  OrderLine: isAuthenticated,
  Customer: { '*': isAuthenticated, orders: readsOrders },
  Product: { id: isAuthenticated },
});
