/**
 * Issue 17 §2, as an attacker of the caches would try: a stored answer is
 * replayed only for the same request from a principal with the same rights
 * and claims. Revoked rights (same subject, the PII scope gone), a claim a
 * rule reads (the email domain of the `internal` policy), another operation
 * of the same document, another `Accept`, GET after POST: each gets its own,
 * completed answer, on the second and later requests too (when the response
 * shortcut answers repeated ones). In-process and Redis.
 */
import { ANALYST, FINANCE_TEAM } from '../principals';
import { BACKENDS, credentialsOf, frontDoorCount, get, post, startCachedMesh, type CachedMesh, type Principal } from './cachedMesh';

let cached: CachedMesh;
beforeAll(async () => {
  cached = await startCachedMesh();
}, 120_000);
afterAll(() => cached?.stop());

describe.each(BACKENDS)('%s', (backend) => {
  const gateway = () => cached.gateways[backend];
  const ask = async (principal: Principal | null, body: unknown, headers: Record<string, string> = {}) => post(gateway().url, body, { ...(await credentialsOf(principal)), ...headers });

  test('a principal whose rights were revoked never gets the answer its old rights earned', async () => {
    const query = { query: `{ customer(id: "5") { id email } } # ${backend}` };
    const before: Principal = { ...FINANCE_TEAM, sub: 'rita' };
    const after: Principal = { ...before, scopes: [] };
    const hits = await frontDoorCount(gateway(), 'hit');
    for (let i = 0; i < 3; i++) expect((await ask(before, query)).body.data.customer.email).toContain('@');
    expect(await frontDoorCount(gateway(), 'hit')).toBe(hits + 2);
    for (let i = 0; i < 3; i++) {
      const answer = await ask(after, query);
      expect(answer.body.data.customer.email).toBeNull();
      expect(answer.body.errors[0].extensions.code).toBe('FORBIDDEN');
    }
  });

  test('a claim a rule reads (the email domain) is part of what is replayed to whom', async () => {
    // logistics' Carrier.onTimeRate is @policy(internal): services or company emails only.
    const query = { query: `{ carriers { name onTimeRate } } # ${backend}` };
    const insider: Principal = { ...ANALYST, sub: 'ivy', email: 'ivy@meshgate.example' };
    const outsider: Principal = { ...insider, email: 'ivy@elsewhere.example' };
    for (let i = 0; i < 3; i++) {
      const answer = await ask(insider, query);
      expect(answer.body.errors).toBeUndefined();
      expect(typeof answer.body.data.carriers[0].onTimeRate).toBe('number');
    }
    for (let i = 0; i < 3; i++) {
      const answer = await ask(outsider, query);
      expect(answer.body.data.carriers.every((row: { onTimeRate: unknown }) => row.onTimeRate === null)).toBe(true);
      expect(answer.body.errors[0].extensions.code).toBe('FORBIDDEN');
    }
  });

  test('another operation of the same document, another Accept, or GET gets its own answer', async () => {
    const document = `query Two { products(first: 2) { edges { node { name } } } } query Three { products(first: 3) { edges { node { name } } } } # ${backend}`;
    for (let i = 0; i < 3; i++) {
      expect((await ask(ANALYST, { query: document, operationName: 'Two' })).body.data.products.edges).toHaveLength(2);
      expect((await ask(ANALYST, { query: document, operationName: 'Three' })).body.data.products.edges).toHaveLength(3);
    }
    const plain = { query: `{ products(first: 4) { edges { node { name } } } } # ${backend}` };
    for (let i = 0; i < 3; i++) {
      const json = await ask(ANALYST, plain, { accept: 'application/json' });
      const graphql = await ask(ANALYST, plain, { accept: 'application/graphql-response+json' });
      expect(json.headers.get('content-type')).toMatch(/^application\/json/);
      expect(graphql.headers.get('content-type')).toMatch(/^application\/graphql-response\+json/);
      expect(graphql.body).toEqual(json.body);
      const viaGet = await get(gateway().url, plain.query, undefined, await credentialsOf(ANALYST));
      expect(viaGet.body).toEqual(json.body);
    }
  });
});
