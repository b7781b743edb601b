/**
 * Issue 14, the assistant endpoint: what describe_data_product tells a
 * principal about each field ("access": yes, no with the rule, or per-row) is
 * what the gateway enforces for that principal. For every field of Customer
 * and for five principals, a field said readable is served, a field said
 * denied is denied by that same rule, and a per-row field is decided on each
 * customer: an assistant never promises data the policy withholds.
 */
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { connectMcp, resultJson } from '../mcpClient';
import { ACCOUNT_MANAGER, ADMIN, ANALYST, FINANCE_TEAM, ORDER_SERVICE } from '../principals';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh();
}, 120_000);
afterAll(() => mesh?.stop());

/** The kinds of access the principals got: the test means something only if each was met. */
const seen = new Set<string>();

const FIELDS = ['id', 'name', 'email', 'phone', 'segment', 'country', 'city', 'signedUpAt', 'accountManager'];

test.each([
  ['analyst', ANALYST],
  ['finance team', FINANCE_TEAM],
  ['account manager', ACCOUNT_MANAGER],
  ['order service', ORDER_SERVICE],
  ['admin', ADMIN],
])('as the %s, each Customer field is served or denied as the catalog tool said', async (_, principal) => {
  const headers = await tokenFor(principal);
  const client = await connectMcp(mesh, headers);
  const product = resultJson(await client.callTool({ name: 'describe_data_product', arguments: { id: 'customers' } })).data.dataProduct;
  await client.close();
  const customer = product.types.find((type: any) => type.name === 'Customer');
  const access = Object.fromEntries(FIELDS.map((field) => [field, customer.fields.find((candidate: any) => candidate.name === field).access]));

  // Some of the account manager's own customers and others' (ten root fields: within every role's limit).
  const all = await mesh.query('{ customers(first: 200) { edges { node { id accountManager } } } }', {}, await tokenFor(ADMIN));
  const nodes = all.body.data.customers.edges.map((edge: any) => edge.node);
  const own = nodes.filter((node: any) => node.accountManager === ACCOUNT_MANAGER.email).slice(0, 5);
  const others = nodes.filter((node: any) => node.accountManager !== ACCOUNT_MANAGER.email).slice(0, 10 - own.length);
  expect(own.length).toBeGreaterThan(0);
  const selection = FIELDS.join(' ');
  const query = `{ ${[...own, ...others].map((node: any, i: number) => `c${i}: customer(id: "${node.id}") { ${selection} }`).join(' ')} }`;
  const { status, body } = await mesh.query(query, {}, headers);
  expect(status).toBe(200);
  const deniedBy = new Map<string, Set<string>>();
  for (const error of body.errors ?? []) {
    if (error.extensions?.code !== 'FORBIDDEN') continue;
    const field = String(error.path![error.path!.length - 1]);
    (deniedBy.get(field) ?? deniedBy.set(field, new Set()).get(field)!).add(error.extensions.rule);
  }
  for (const field of FIELDS) {
    const said = access[field];
    seen.add(said.readable);
    if (said.readable === 'yes') expect([field, deniedBy.get(field)]).toEqual([field, undefined]);
    if (said.readable === 'no') expect([field, [...(deniedBy.get(field) ?? [])]]).toEqual([field, [said.rule]]);
    if (said.readable === 'per-row') {
      // Decided on each customer: served for the manager's own, denied for the others.
      const deniedOn = (body.errors ?? []).filter((error) => error.extensions?.code === 'FORBIDDEN' && error.path![error.path!.length - 1] === field).map((error) => error.path![0]);
      expect([field, deniedOn.sort()]).toEqual([field, others.map((_: unknown, i: number) => `c${own.length + i}`).sort()]);
    }
  }
});

test('the principals above met every kind of access: yes, no and per-row', () => {
  expect([...seen].sort()).toEqual(['no', 'per-row', 'yes']);
});
