/** The finance domain's rules for payments and account transactions. */
import { or } from 'graphql-shield';
import { defineDomainPolicy } from '../gateway/src/authorization/policy';
import { hasRole, hasScope, inDomain, isAuthenticated, isService } from './rules';

const readsTransactions = or(hasRole('analyst', 'account-manager', 'admin'), inDomain('finance'), isService);
const investigatesFraud = or(hasRole('risk-analyst'), inDomain('finance'));
// The fraud model's scores are risk data: only holders of the risk:read scope, whatever their role or domain.
const readsFraudScores = hasScope('risk:read');

export default defineDomainPolicy('finance', {
  Query: {
    '*': isAuthenticated,
    transactions: readsTransactions,
    transactionSummary: readsTransactions,
    anomalousTransactions: investigatesFraud,
  },
  // Streams of transactions: who may read transactions may follow them (account managers: their own customers' only, per event).
  Subscription: { transactionAdded: readsTransactions, transactionUpdated: readsTransactions },
  Payment: isAuthenticated,
  Transaction: { '*': isAuthenticated, fraudScore: readsFraudScores },
  AnomalyAssessment: investigatesFraud,
  FraudScore: readsFraudScores,
  TransactionSummary: isAuthenticated,
  TransactionTypeTotal: isAuthenticated,
  Order: isAuthenticated,
  Customer: { '*': isAuthenticated, transactions: readsTransactions, transactionSummary: readsTransactions },
});
