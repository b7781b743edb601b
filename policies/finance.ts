/** The finance domain's rules for payments and account transactions. */
import { or } from 'graphql-shield';
import { defineDomainPolicy } from '../gateway/src/authorization/policy';
import { hasRole, inDomain, isAuthenticated, isService } from './rules';

const readsTransactions = or(hasRole('analyst', 'account-manager', 'admin'), inDomain('finance'), isService);
const investigatesFraud = or(hasRole('risk-analyst'), inDomain('finance'));

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
  Transaction: isAuthenticated,
  AnomalyAssessment: investigatesFraud,
  TransactionSummary: isAuthenticated,
  TransactionTypeTotal: isAuthenticated,
  Order: isAuthenticated,
  Customer: { '*': isAuthenticated, transactions: readsTransactions, transactionSummary: readsTransactions },
});
