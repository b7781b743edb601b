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

test('minScore: each transaction is scored as it arrives; those below it are not delivered', async () => {
  const client = createClient({ url: domain.url, fetchFn: signedFetch, retryAttempts: 0 });
  const everything = client.iterate({ query: 'subscription { transactionAdded(filter: { customerId: "9", minScore: 0 }) { id fraudScore { score } } }' });
  const certain = client.iterate({ query: 'subscription { transactionAdded(filter: { customerId: "9", minScore: 1 }) { id fraudScore { score } } }' });
  const first = everything.next();
  const firstCertain = certain.next();
  await new Promise((resolve) => setTimeout(resolve, 1000)); // both streams are listening
  await insert(9_000_101, 9, 'DEPOSIT', 40); // an ordinary deposit: scored far below 1
  const delivered = (await first).value as { data: { transactionAdded: { id: string; fraudScore: { score: number } } } };
  expect(delivered.data.transactionAdded.id).toBe('9000101');
  expect(delivered.data.transactionAdded.fraudScore.score).toBeLessThan(1);
  // The same transaction, scored below 1, never reaches the other stream.
  const nothing = await Promise.race([firstCertain.then(() => 'delivered'), new Promise((resolve) => setTimeout(() => resolve('nothing'), 1500))]);
  expect(nothing).toBe('nothing');
  await everything.return?.();
  await certain.return?.();
  client.dispose();
});

test('minScore out of 0..1 is the subscriber\'s error, before anything is listened to', async () => {
  const client = createClient({ url: domain.url, fetchFn: signedFetch, retryAttempts: 0 });
  const refused = await client
    .iterate({ query: 'subscription { transactionAdded(filter: { minScore: 2 }) { id } }' })
    .next()
    .then(
      (result) => result.value,
      (error) => error,
    );
  expect(JSON.stringify(refused)).toMatch(/minScore.*must be a number from 0 to 1/);
  client.dispose();
});
