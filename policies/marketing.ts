/** The marketing domain's rules for campaigns and attribution. */
import { or } from 'graphql-shield';
import { defineDomainPolicy } from '../gateway/src/authorization/policy';
import { hasRole, inDomain, isAuthenticated, isService } from './rules';

export default defineDomainPolicy('marketing', {
  Query: { '*': isAuthenticated, campaignPerformance: or(hasRole('analyst', 'admin'), inDomain('marketing'), isService) },
  Campaign: { '*': isAuthenticated, budget: or(hasRole('analyst', 'admin'), inDomain('marketing')) },
  Conversion: isAuthenticated,
  CampaignPerformance: isAuthenticated,
  Order: isAuthenticated,
  Customer: isAuthenticated,
});
