/**
 * Issue 17 §2: the response shortcut (cache/responseShortcut.ts) never
 * replays an answer that depended on a row-level rule, and never replays
 * anything that did not go through completion. An account manager's
 * repeated request, another account manager with the same rights, a token
 * with am03's subject but another email, and identical requests in flight
 * all get exactly the contacts their own email may see, never a helper
 * field (`mg__…`), from the in-process cache and from Redis alike.
 */
import { ACCOUNT_MANAGER } from '../principals';
import { BACKENDS, credentialsOf, frontDoorCount, keysOf, post, startCachedMesh, type CachedMesh, type Principal } from './cachedMesh';

const AM05: Principal = { ...ACCOUNT_MANAGER, sub: 'am05', email: 'am05@meshgate.example' };
/** am03's subject with another manager's email: the row-level rule must follow the email, not the subject. */
const AM03_AS_AM07: Principal = { ...ACCOUNT_MANAGER, email: 'am07@meshgate.example' };

const QUERY = '{ customers(first: 100) { edges { node { id phone email } } } }';

let cached: CachedMesh;
let rows: { id: number; account_manager: string | null; phone: string | null; email: string }[];

beforeAll(async () => {
  cached = await startCachedMesh();
  rows = await cached.mesh.db.query(`SELECT id, account_manager, phone, email FROM customers.customer ORDER BY id LIMIT 100`);
  // The data must let the test fail: each manager owns some of these customers, and not all of them.
  for (const email of [ACCOUNT_MANAGER.email, AM05.email, AM03_AS_AM07.email]) {
    const owned = rows.filter((row) => row.account_manager === email).length;
    expect(owned).toBeGreaterThan(0);
    expect(owned).toBeLessThan(rows.length);
  }
}, 120_000);
afterAll(() => cached?.stop());

/** The answer holds no helper field, and exactly the contacts this principal's email may see. */
function expectOwnContactsOnly(body: any, principal: Principal) {
  expect([...keysOf(body)].filter((key) => key.startsWith('mg__'))).toEqual([]);
  const edges = body.data.customers.edges as { node: { id: string; phone: string | null; email: string | null } }[];
  expect(edges.length).toBeGreaterThan(0);
  for (const { node } of edges) {
    const row = rows.find((candidate) => String(candidate.id) === node.id)!;
    const own = row.account_manager === principal.email;
    expect({ id: node.id, phone: node.phone, email: node.email }).toEqual({ id: node.id, phone: own ? row.phone : null, email: own ? row.email : null });
  }
}

describe.each(BACKENDS)('%s', (backend) => {
  const url = () => cached.gateways[backend].url;
  const ask = async (principal: Principal) => post(url(), { query: `${QUERY} # ${backend}` }, await credentialsOf(principal));

  test('repeated requests of one account manager are completed every time, without helper fields', async () => {
    const hitsBefore = await frontDoorCount(cached.gateways[backend], 'hit');
    for (let i = 0; i < 4; i++) {
      const answer = await ask(ACCOUNT_MANAGER);
      expect(answer.status).toBe(200);
      expectOwnContactsOnly(answer.body, ACCOUNT_MANAGER);
    }
    expect(await frontDoorCount(cached.gateways[backend], 'hit')).toBe(hitsBefore);
  });

  test('a principal with the same rights, or the same subject with another email, sees only its own rows', async () => {
    await ask(ACCOUNT_MANAGER);
    await ask(ACCOUNT_MANAGER);
    for (const principal of [AM05, AM03_AS_AM07, AM05, AM03_AS_AM07, ACCOUNT_MANAGER]) expectOwnContactsOnly((await ask(principal)).body, principal);
  });

  test('a clean answer (only own customers) is completed again for every request, and never replayed to another email', async () => {
    const own = rows.find((row) => row.account_manager === ACCOUNT_MANAGER.email)!;
    const query = { query: `{ customer(id: "${own.id}") { id phone email } } # ${backend}` };
    for (let i = 0; i < 4; i++) {
      const answer = await post(url(), query, await credentialsOf(ACCOUNT_MANAGER));
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data).toEqual({ customer: { id: String(own.id), phone: own.phone, email: own.email } });
      expect(answer.text).not.toContain('mg__');
    }
    for (const principal of [AM03_AS_AM07, AM05]) {
      for (let i = 0; i < 2; i++) {
        const answer = await post(url(), query, await credentialsOf(principal));
        expect(answer.body.data).toEqual({ customer: { id: String(own.id), phone: null, email: null } });
        expect(answer.body.errors.map((error: any) => error.extensions.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
        expect(answer.text).not.toContain('mg__');
      }
    }
  });

  test('identical requests in flight never hand one manager another manager’s rows', async () => {
    const principals = Array.from({ length: 12 }, (_, i) => [ACCOUNT_MANAGER, AM05, AM03_AS_AM07][i % 3]);
    const answers = await Promise.all(principals.map(ask));
    answers.forEach((answer, i) => expectOwnContactsOnly(answer.body, principals[i]));
  });
});
