/** The logistics domain's rules for shipments and delivery performance. */
import { defineDomainPolicy } from '../gateway/src/authorization/policy';
import { isAuthenticated } from './rules';

export default defineDomainPolicy('logistics', {
  Query: isAuthenticated,
  Subscription: isAuthenticated,
  Shipment: isAuthenticated,
  // Carrier.onTimeRate is also guarded by @policy(internal) in the schema.
  Carrier: isAuthenticated,
  DeliveryZone: isAuthenticated,
  ZonePerformance: isAuthenticated,
  Order: isAuthenticated,
});
