/**
 * Finance serves its subscriptions itself (issue 15): a signed event-stream request gets each
 * transaction committed afterwards that matches its filter, whoever wrote it (here: plain SQL);
 * an unsigned one is refused before anything is listened to.
 */
import { createClient } from 'graphql-sse';
import { signRequest } from '../lib/signing';
import { startDomainForTest, TEST_ANONYMOUS, TEST_SIGNING_KEY, type DomainUnderTest } from '../lib/testing';
import { finance } from '.';

let domain: DomainUnderTest;
beforeAll(async () => {
  domain = await startDomainForTest(finance);
}, 120_000);
afterAll(() => domain?.stop());

const signedFetch: typeof fetch = (input, init) => {
  const body = String(init?.body ?? '');
  return fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...signRequest({ audience: 'finance', principal: TEST_ANONYMOUS, body, signingKey: TEST_SIGNING_KEY }) } });
};

const insert = (id: number, customerId: number, type: string, amount: number) =>
  domain.db.query(`INSERT INTO finance.transactions (id, customer_id, type, amount, currency, occurred_at) VALUES ($1, $2, $3, $4, 'EUR', now())`, [id, customerId, type, amount]);

test('transactionAdded streams the matching transactions committed after it started; transactionUpdated the changes', async () => {
  const client = createClient({ url: domain.url, fetchFn: signedFetch, retryAttempts: 0 });
  const added = client.iterate({ query: 'subscription { transactionAdded(filter: { customerId: "7", minAmount: 100 }) { id type amount customer { id } } }' });
  const updated = client.iterate({ query: 'subscription { transactionUpdated { id anomaly { flagged } } }' });
  const firstAdded = added.next();
  const firstUpdated = updated.next();
  await new Promise((resolve) => setTimeout(resolve, 1000)); // both streams are listening
  await insert(9_000_001, 8, 'DEPOSIT', 500); // another customer
  await insert(9_000_002, 7, 'DEPOSIT', 50); // below minAmount
  await insert(9_000_003, 7, 'WITHDRAWAL', 250.5);
  expect((await firstAdded).value).toEqual({ data: { transactionAdded: { id: '9000003', type: 'WITHDRAWAL', amount: 250.5, customer: { id: '7' } } } });
  await domain.db.query('UPDATE finance.transactions SET flagged = true WHERE id = 9000002');
  expect((await firstUpdated).value).toEqual({ data: { transactionUpdated: { id: '9000002', anomaly: { flagged: true } } } });
  await added.return?.();
  await updated.return?.();
  client.dispose();
});

test('an unsigned subscription request is refused with 401', async () => {
  const response = await fetch(domain.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query: 'subscription { transactionAdded { id } }' }),
  });
  expect(response.status).toBe(401);
});
