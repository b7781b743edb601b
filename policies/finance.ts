/** The finance domain's rules for payments and account transactions. */
import { or } from 'graphql-shield';
import { defineDomainPolicy } from '../gateway/src/authorization/policy';
import { hasRole, hasScope, inDomain, isAuthenticated, isService } from './rules';

const readsTransactions = or(hasRole('analyst', 'account-manager', 'admin'), inDomain('finance'), isService);
const investigatesFraud = or(hasRole('risk-analyst'), inDomain('finance'));
// The fraud model's scores are risk data: only holders of the risk:read scope, whatever their role or domain.
const readsFraudScores = hasScope('risk:read');
const readsPayments = isAuthenticated;

export default defineDomainPolicy('finance', {
  Query: {
    '*': isAuthenticated,
    transactions: readsTransactions,
    transactionSummary: readsTransactions,
    anomalousTransactions: investigatesFraud,
  },
  // Streams of transactions: who may read transactions may follow them (account managers: their own customers' only, per event).
  Subscription: { transactionAdded: readsTransactions, transactionUpdated: readsTransactions },
  Payment: readsPayments,
  Transaction: { '*': isAuthenticated, fraudScore: readsFraudScores },
  AnomalyAssessment: investigatesFraud,
  FraudScore: readsFraudScores,
  TransactionSummary: isAuthenticated,
  TransactionTypeTotal: isAuthenticated,
  // amountDue is the total less what was captured: it tells the payment's amount, so it is governed as payments are
  // (and, since it @requires them, the gateway adds the rules of sales' Order.total and Order.status).
  Order: { '*': isAuthenticated, amountDue: readsPayments },
  Customer: { '*': isAuthenticated, transactions: readsTransactions, transactionSummary: readsTransactions },
});
