/**
 * Row scopes (issue 13, "row rules follow the entity"): what a scope declared
 * once on an entity covers, derived from the supergraph; the problems a scope
 * naming what the supergraph lacks gets at start-up, with the coordinate; and
 * the owner test running once per distinct owner per request.
 */
import { parse, print } from 'graphql';
import { allow, deny, rule } from 'graphql-shield';
import { Supergraph } from '@apollo/federation-internals';
import { composeOrThrow } from '../../../schema/compose';
import { compilePolicy, PolicyError } from './compilePolicy';
import { defineDomainPolicy, defineGlobalPolicy, defineRowScope, type RowScope } from './policy';
import { evaluateRule, UNKNOWN_PARENT } from './ruleTree';
import { readSupergraphFacts } from './supergraphFacts';

const link =
  'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@composeDirective"]) @link(url: "https://meshgate.dev/pii/v1.0", import: ["@pii"]) @composeDirective(name: "@pii") directive @pii(category: String) on FIELD_DEFINITION';
const supergraphSdl = composeOrThrow([
  {
    name: 'accounts',
    url: 'http://accounts',
    typeDefs: parse(`${link}
      type Account @key(fields: "id") { id: ID! owner: String name: String @pii(category: "identity") tier: String }
      type Query { account(id: ID!): Account }`),
  },
  {
    name: 'ledger',
    url: 'http://ledger',
    typeDefs: parse(`${link}
      type Account @key(fields: "id") { id: ID! entries: [Entry!]! }
      type Entry @key(fields: "id") { id: ID! account: Account! memo: String @pii(category: "financial") amount: Float! note: Note refund: Refund }
      type Note { text: String @pii(category: "financial") }
      type Refund @key(fields: "id") { id: ID! entry: Entry! reason: String @pii(category: "financial") issuedBy: String }
      type Transfer @key(fields: "id") { id: ID! from: Account! to: Account! memo: String @pii(category: "financial") }
      type EntryEdge { node: Entry! }
      type Query { entry(id: ID!): Entry entries: [EntryEdge!]! transfer(id: ID!): Transfer }`),
  },
]);
const schema = Supergraph.build(supergraphSdl, { supportedFeatures: null as never }).apiSchema().toGraphQLJSSchema();
const facts = readSupergraphFacts(supergraphSdl);
const global = defineGlobalPolicy({ fallbackRule: deny, piiRule: allow, namedPolicies: {}, rules: { Query: allow } });

const isAnyone = rule('isAnyone', { cache: 'contextual' })(() => true);
const isManager = rule('isManager', { cache: 'contextual' })((_parent, _args, context: { principal: { roles: string[] } }) => context.principal.roles.includes('manager'));
const ownerCalls: unknown[] = [];
const isOwner = rule('isOwner', { cache: 'no_cache', fragment: '... on Account { owner }' })((account: { owner: string | null }, _args, context: { principal: { email: string } }) => {
  ownerCalls.push(account);
  return account.owner === context.principal.email || 'own accounts only';
});
const scope = (overrides: Partial<RowScope> = {}) =>
  defineRowScope({ name: 'ownAccounts', entity: 'Account', appliesTo: isManager, owner: isOwner, publicFields: ['owner'], belongsThrough: ['Transfer.from'], ...overrides });

const compile = (rowScope: RowScope, declaredBy = 'accounts') =>
  compilePolicy({
    global,
    domains: [
      defineDomainPolicy('accounts', { Account: isAnyone }, { rowScopes: declaredBy === 'accounts' ? [rowScope] : [] }),
      defineDomainPolicy('ledger', { Account: isAnyone, Entry: isAnyone, Note: isAnyone, Refund: isAnyone, Transfer: isAnyone, EntryEdge: isAnyone }, { rowScopes: declaredBy === 'ledger' ? [rowScope] : [] }),
    ],
    schema,
    facts,
  });

const problemsOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return (error as PolicyError).problems;
  }
  throw new Error('expected a PolicyError');
};

const scoped = (policy: ReturnType<typeof compile>, coordinate: string) => {
  const [type, field] = coordinate.split('.');
  return policy.forField(type, field).parts.some((part) => part.label === 'accounts:rowScope(ownAccounts)');
};

test('a scope covers every field of the entity in every domain, except keys and public fields', () => {
  const policy = compile(scope());
  expect(['Account.name', 'Account.tier', 'Account.entries'].filter((coordinate) => scoped(policy, coordinate))).toEqual(['Account.name', 'Account.tier', 'Account.entries']);
  expect(scoped(policy, 'Account.id')).toBe(false);
  expect(scoped(policy, 'Account.owner')).toBe(false);
  expect(policy.forField('Account', 'entries')).toMatchObject({ rowLevel: true });
  expect(policy.forField('Account', 'entries').parentSelections.map((selection) => print(selection))).toEqual(['owner']);
});

test('types that belong to the entity (derived from the supergraph, transitively) get the scope on their personal data', () => {
  const policy = compile(scope());
  // Entry.account returns Account; Refund.entry returns Entry; Transfer through the link the scope names.
  for (const coordinate of ['Entry.memo', 'Entry.note', 'Refund.reason', 'Transfer.memo']) expect([coordinate, scoped(policy, coordinate)]).toEqual([coordinate, true]);
  // Not personal, keys, links, edges (no key: a container, not a row) and root fields are not covered.
  for (const coordinate of ['Entry.amount', 'Entry.id', 'Entry.account', 'Refund.issuedBy', 'EntryEdge.node', 'Query.entry', 'Query.account']) {
    expect([coordinate, scoped(policy, coordinate)]).toEqual([coordinate, false]);
  }
  // The owner is read through the link: one nested selection the planner fetches as one entity fetch.
  expect(policy.forField('Refund', 'reason').parentSelections.map((selection) => print(selection).replace(/\s+/g, ' '))).toEqual(['entry { account { owner } }']);
});

test('alsoCovers adds detail fields of a belonging type', () => {
  const policy = compile(scope({ alsoCovers: ['Entry.amount'] }));
  expect(scoped(policy, 'Entry.amount')).toBe(true);
});

test('two links of the same length are refused until the scope names the one that decides', () => {
  expect(problemsOf(() => compile(scope({ belongsThrough: [] })))).toEqual([
    'policies/accounts.ts: row scope "ownAccounts": Transfer belongs to Account through Transfer.from and Transfer.to; name the one that decides in belongsThrough, or the others in notThrough',
  ]);
  expect(scoped(compile(scope({ belongsThrough: [], notThrough: ['Transfer.to'] })), 'Transfer.memo')).toBe(true);
  expect(scoped(compile(scope({ belongsThrough: [], notThrough: ['Transfer.to', 'Transfer.from'] })), 'Transfer.memo')).toBe(false);
});

test('a scope naming what the supergraph lacks refuses start-up with the coordinate named', () => {
  expect(problemsOf(() => compile(scope({ entity: 'Acount' })))).toEqual(['policies/accounts.ts: row scope "ownAccounts": Acount is not an object type of the supergraph']);
  expect(
    problemsOf(() =>
      compile(scope({ publicFields: ['owner', 'nickname'], belongsThrough: ['Transfer.from', 'Entry.acount', 'Entry.amount'], notThrough: ['Refund.entri'], alsoCovers: ['Entry.colour', 'EntryEdge.node'] })),
    ),
  ).toEqual([
    'policies/accounts.ts: row scope "ownAccounts": publicFields names Account.nickname, which is not a field of the supergraph',
    'policies/accounts.ts: row scope "ownAccounts": Entry.acount is not a field of the supergraph',
    'policies/accounts.ts: row scope "ownAccounts": Refund.entri is not a field of the supergraph',
    'policies/accounts.ts: row scope "ownAccounts": belongsThrough Entry.amount does not lead to Account (it must return Account, or a type that belongs to it, one object at a time)',
    'policies/accounts.ts: row scope "ownAccounts": alsoCovers names Entry.colour, which is not a field of the supergraph',
    'policies/accounts.ts: row scope "ownAccounts": alsoCovers names EntryEdge.node, but EntryEdge is not a type that belongs to Account',
  ]);
  const readsUnknown = rule('readsUnknown', { fragment: '... on Account { manager }' })(() => true);
  expect(problemsOf(() => compile(scope({ owner: readsUnknown })))).toEqual([
    'policies/accounts.ts: row scope "ownAccounts": its owner rule reads Account.manager, which is not a field of the supergraph',
  ]);
});

test('a scope whose rules cannot work as a scope is refused', () => {
  const noFragment = rule('noFragment')(() => true);
  expect(problemsOf(() => compile(scope({ owner: noFragment })))).toEqual([
    'policies/accounts.ts: row scope "ownAccounts": owner must name the Account fields it reads with a fragment (`... on Account { field }`)',
  ]);
  expect(problemsOf(() => compile(scope({ appliesTo: isOwner })))).toEqual([
    'policies/accounts.ts: row scope "ownAccounts": appliesTo must decide on the principal alone, but it reads the parent (it has a fragment)',
  ]);
  // The scope belongs to the domain that owns the entity's owner field.
  expect(problemsOf(() => compile(scope(), 'ledger'))).toEqual([
    'policies/ledger.ts: row scope "ownAccounts": its owner rule reads Account.owner, which the ledger subgraph does not own; declare the scope in the policy of the domain that owns Account',
  ]);
});

test('principals the scope does not apply to are settled before execution; for the others the owner test runs once per distinct owner', async () => {
  const policy = compile(scope());
  const [part] = policy.forField('Entry', 'memo').parts.filter((candidate) => candidate.label.includes('rowScope'));
  const info = {} as never;
  const onRuleError = (_rule: string, error: unknown) => {
    throw error;
  };
  const analyst = { principal: { roles: ['analyst'], email: 'a@x' }, _shield: { cache: {} } };
  const manager = { principal: { roles: ['manager'], email: 'm1@x' }, _shield: { cache: {} } };
  expect(await evaluateRule(part.rule, { parent: UNKNOWN_PARENT, args: {}, context: analyst, info, onRuleError })).toEqual({ kind: 'allow' });
  expect(await evaluateRule(part.rule, { parent: UNKNOWN_PARENT, args: {}, context: manager, info, onRuleError })).toEqual({ kind: 'unknown' });

  ownerCalls.splice(0);
  const entries = [
    { customer: 1, account: { owner: 'm1@x' } },
    { customer: 2, account: { owner: 'm2@x' } },
    { customer: 3, account: { owner: 'm1@x' } },
    { customer: 4, account: { owner: 'm2@x' } },
    { customer: 5, account: null },
  ];
  const outcomes = await Promise.all(entries.map((entry) => evaluateRule(part.rule, { parent: entry, args: {}, context: manager, info, onRuleError })));
  expect(outcomes.map((outcome) => outcome.kind)).toEqual(['allow', 'deny', 'allow', 'deny', 'deny']);
  expect(outcomes[1]).toMatchObject({ reason: 'own accounts only' });
  expect(outcomes[4]).toMatchObject({ reason: 'this Entry belongs to no Account (row scope ownAccounts)' });
  // Two distinct owners among four rows: two owner tests, not four.
  expect(ownerCalls).toEqual([{ owner: 'm1@x' }, { owner: 'm2@x' }]);
});

test("the links to the entity and its keys select its rows; only types that carry the rows hold them", () => {
  const policy = compile(scope());
  for (const coordinate of ['Account.id', 'Entry.account', 'Refund.entry', 'Transfer.from']) expect(policy.rowSelectors(coordinate).map((selector) => selector.scope)).toEqual(['ownAccounts']);
  // Not a link: a field of the entity, a field of a belonging type, a link the scope does not decide through.
  for (const coordinate of ['Account.name', 'Entry.amount', 'Transfer.to']) expect(policy.rowSelectors(coordinate)).toEqual([]);
  const [selector] = policy.rowSelectors('Entry.account');
  // Rows, and the edges that lead to them, are row-checked after execution; a type made of scalars is not.
  expect(['Account', 'Entry', 'Refund', 'EntryEdge'].map((type) => selector.holdsRows(type))).toEqual([true, true, true, true]);
  expect(selector.holdsRows('Note')).toBe(false);
});
