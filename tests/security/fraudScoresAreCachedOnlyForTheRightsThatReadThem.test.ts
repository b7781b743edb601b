/**
 * Issue 19: fraud scores are cached with their transactions (the transaction's 30 s PRIVATE hint), and a
 * cached score is replayed only to the same rights: the same subject, once its risk:read scope is gone,
 * gets FORBIDDEN at the score every time, never the answer its old rights earned. In-process and Redis.
 */
import { ADMIN } from '../principals';
import { BACKENDS, credentialsOf, frontDoorCount, post, startCachedMesh, type CachedMesh, type Principal } from './cachedMesh';

let cached: CachedMesh;
beforeAll(async () => {
  cached = await startCachedMesh();
}, 120_000);
afterAll(() => cached?.stop());

describe.each(BACKENDS)('%s', (backend) => {
  test('a cached fraud score is replayed to the rights that read it, and never once risk:read is gone', async () => {
    const query = { query: `{ transaction(id: "7") { id amount fraudScore { score modelVersion } } } # ${backend}` };
    const before: Principal = { ...ADMIN, sub: 'rosa' };
    const after: Principal = { ...before, scopes: before.scopes!.filter((scope) => scope !== 'risk:read') };
    const ask = async (principal: Principal) => post(cached.gateways[backend].url, query, await credentialsOf(principal));
    const hits = await frontDoorCount(cached.gateways[backend], 'hit');
    const first = await ask(before);
    expect(first.body.data.transaction.fraudScore.score).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < 2; i++) expect((await ask(before)).body).toEqual(first.body);
    expect(await frontDoorCount(cached.gateways[backend], 'hit')).toBe(hits + 2);
    for (let i = 0; i < 3; i++) {
      const answer = await ask(after);
      expect(answer.body.data.transaction).toMatchObject({ id: '7', fraudScore: null });
      expect(answer.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN' });
    }
  });
});
