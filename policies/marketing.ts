/** The marketing domain's rules for campaigns and attribution. */
import { and, inputRule, or } from 'graphql-shield';
import { defineDomainPolicy } from '../gateway/src/authorization/policy';
import { hasRole, inDomain, isAuthenticated, isService } from './rules';

const DAY_MS = 86_400_000;

/** Campaign performance is computed per request: keep a dashboard's period to a year at most. */
export const periodOfAYearAtMost = inputRule('periodOfAYearAtMost')((yup) =>
  yup.object({
    from: yup.date().required(),
    to: yup
      .date()
      .required()
      .test('at-most-a-year', 'the period from "from" to "to" must be 366 days at most', function (to) {
        const from = this.parent.from as Date | undefined;
        return !from || !to || to.getTime() - from.getTime() <= 366 * DAY_MS;
      }),
  }),
);

export default defineDomainPolicy('marketing', {
  Query: {
    '*': isAuthenticated,
    campaignPerformance: and(or(hasRole('analyst', 'admin'), inDomain('marketing'), isService), periodOfAYearAtMost),
  },
  Campaign: { '*': isAuthenticated, budget: or(hasRole('analyst', 'admin'), inDomain('marketing')) },
  Conversion: isAuthenticated,
  CampaignPerformance: isAuthenticated,
  Order: isAuthenticated,
  Customer: isAuthenticated,
});
