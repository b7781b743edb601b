/** The principals the tests and the README's examples use (defined beside the query page's role picker, which offers them). */
export { ACCOUNT_MANAGER, ADMIN, ANALYST, FINANCE_TEAM, ORDER_SERVICE } from '../gateway/src/identity/developmentPrincipals';
