/**
 * Issue 13, "Arguments are data": an argument that filters, searches or sorts
 * by a field (`@reads` in the subgraph schema) is governed by that field's
 * rule. Tried as an analyst and an account manager would: the search oracle on
 * `Customer.name`, the anomaly flag through `flaggedOnly`, given literally,
 * through a variable, through a variable's default, and nested under an
 * entity. Each gets FORBIDDEN at the field, naming the argument; the subgraph
 * is never asked; the denial is audited. A principal who may read the field
 * still filters by it.
 */
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ACCOUNT_MANAGER, ADMIN, ANALYST } from '../principals';

let mesh: TestMesh;

beforeAll(async () => {
  mesh = await startMesh();
});
afterAll(() => mesh?.stop());


const sentTo = (subgraph: keyof TestMesh['subgraphs']) => mesh.subgraphs[subgraph].received.map((request) => `${request.query ?? ''} ${JSON.stringify(request.variables ?? {})}`).join('\n');

type Case = { name: string; principal: typeof ANALYST; query: string; variables?: Record<string, unknown>; path: (string | number)[]; argument: string; read: string; subgraph: 'customers' | 'finance'; never: RegExp };

const cases: Case[] = [
  { name: 'the search oracle on Customer.name (analyst, literal)', principal: ANALYST, query: 'query Oracle { customers(filter: { search: "an" }) { totalCount } }', path: ['customers'], argument: 'filter.search', read: 'Customer.name', subgraph: 'customers', never: /search|customers\(/ },
  { name: 'the search oracle through a variable', principal: ANALYST, query: 'query Oracle($f: CustomerFilter) { customers(filter: $f) { totalCount } }', variables: { f: { search: 'an' } }, path: ['customers'], argument: 'filter.search', read: 'Customer.name', subgraph: 'customers', never: /search|"an"/ },
  { name: "the search oracle through a variable's default", principal: ANALYST, query: 'query Oracle($f: CustomerFilter = { search: "an" }) { customers(filter: $f) { totalCount } }', path: ['customers'], argument: 'filter.search', read: 'Customer.name', subgraph: 'customers', never: /search|"an"/ },
  { name: "the search oracle as an account manager (names of other managers' customers)", principal: ACCOUNT_MANAGER, query: 'query Oracle { customers(filter: { search: "an" }) { edges { node { id } } } }', path: ['customers'], argument: 'filter.search', read: 'Customer.name', subgraph: 'customers', never: /search/ },
  { name: 'flagged transactions (analyst)', principal: ANALYST, query: 'query Flags { transactions(filter: { flaggedOnly: true }) { totalCount edges { node { id } } } }', path: ['transactions'], argument: 'filter.flaggedOnly', read: 'AnomalyAssessment.flagged', subgraph: 'finance', never: /flaggedOnly/ },
  { name: 'flagged transaction summary (analyst)', principal: ANALYST, query: 'query Flags { transactionSummary(filter: { flaggedOnly: false }) { count } }', path: ['transactionSummary'], argument: 'filter.flaggedOnly', read: 'AnomalyAssessment.flagged', subgraph: 'finance', never: /flaggedOnly/ },
  { name: "a customer's flagged transactions, nested under the entity (analyst)", principal: ANALYST, query: 'query Flags { customer(id: "16") { id transactions(filter: { flaggedOnly: true }) { totalCount } } }', path: ['customer', 'transactions'], argument: 'filter.flaggedOnly', read: 'AnomalyAssessment.flagged', subgraph: 'finance', never: /flaggedOnly|transactions/ },
];

test.each(cases)('$name: FORBIDDEN naming the argument, the subgraph not asked, audited', async ({ principal, query, variables, path, argument, read, subgraph, never }) => {
  mesh.resetReceived();
  const { status, body } = await mesh.query(query, variables, await tokenFor(principal));
  expect(status).toBe(200);
  const denial = body.errors?.find((error) => error.extensions?.code === 'FORBIDDEN');
  expect(denial).toMatchObject({ path, message: expect.stringContaining(`the argument ${argument} reads ${read}`) });
  expect(sentTo(subgraph)).not.toMatch(never);
  const records = await mesh.auditRecords();
  expect(records).toContainEqual(expect.objectContaining({ kind: 'denial', path, rule: denial!.extensions!.rule, principal: expect.objectContaining({ id: principal.sub }) }));
});

test('the search oracle learns nothing: every prefix gets the same answer', async () => {
  const headers = await tokenFor(ANALYST);
  const answers = new Set<string>();
  for (const prefix of ['a', 'an', 'ann', 'anna', 'zz']) {
    const { body } = await mesh.query('{ customers(filter: { search: $s }) { totalCount } }'.replace('$s', JSON.stringify(prefix)), undefined, headers);
    answers.add(JSON.stringify({ data: body.data, codes: body.errors?.map((error) => error.extensions?.code) }));
  }
  expect([...answers]).toEqual([JSON.stringify({ data: { customers: null }, codes: ['FORBIDDEN'] })]);
});

test('a principal who may read the field filters by it, and the subgraph gets the filter', async () => {
  mesh.resetReceived();
  const headers = await tokenFor(ADMIN);
  const { body } = await mesh.query('{ customers(filter: { search: "an" }) { totalCount } transactions(filter: { flaggedOnly: true }) { totalCount } }', undefined, headers);
  expect(body.errors).toBeUndefined();
  expect(body.data.customers.totalCount).toBeGreaterThan(0);
  expect(sentTo('customers')).toMatch(/search/);
  expect(sentTo('finance')).toMatch(/flaggedOnly/);
});

test('the analyst still filters by what they may read', async () => {
  const { body } = await mesh.query('{ customers(filter: { segment: ENTERPRISE }) { totalCount } transactions(filter: { types: [DEPOSIT], minAmount: 10 }) { totalCount } }', undefined, await tokenFor(ANALYST));
  expect(body.errors).toBeUndefined();
  expect(body.data.customers.totalCount).toBeGreaterThan(0);
});
