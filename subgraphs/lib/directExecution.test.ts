import type { IncomingMessage } from 'node:http';
import { PGlite } from '@electric-sql/pglite';
import { HeaderMap, type ApolloServer, type HTTPGraphQLResponse } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { finance } from '../finance';
import { sales } from '../sales';
import { PgliteDb } from './db';
import { DirectExecution } from './directExecution';
import { createSubgraphApollo } from './server';
import { seedDomain } from './storage';
import type { SubgraphDefinition } from './subgraph';
import { TEST_SEED } from './testing';

type Served = { db: PgliteDb; apollo: ApolloServer<any>; direct: DirectExecution<any>; definition: SubgraphDefinition<any> };
const served = new Map<string, Served>();

beforeAll(async () => {
  for (const definition of [finance, sales] as SubgraphDefinition<any>[]) {
    const db = new PgliteDb(await PGlite.create(), true);
    await seedDomain(db, definition, TEST_SEED);
    const apollo = createSubgraphApollo(definition);
    await apollo.start();
    const direct = new DirectExecution(buildSubgraphSchema([{ typeDefs: definition.typeDefs, resolvers: definition.resolvers as never }]));
    served.set(definition.name, { db, apollo, direct, definition });
  }
});
afterAll(async () => {
  for (const { db, apollo } of served.values()) {
    await apollo.stop();
    await db.close();
  }
});

const comparable = async (response: HTTPGraphQLResponse) => ({
  status: response.status ?? 200,
  headers: [...response.headers],
  body: response.body.kind === 'complete' ? response.body.string : 'chunked',
});

/** The same request through Apollo Server and through the direct execution; null when the direct one declines it. */
async function bothAnswers(subgraph: string, body: unknown, accept?: string) {
  const { db, apollo, direct, definition } = served.get(subgraph)!;
  const context = async () => ({ db, loaders: definition.createLoaders(db) });
  const headers = new HeaderMap([['content-type', 'application/json'], ...(accept ? [['accept', accept] as [string, string]] : [])]);
  const expected = await apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest: { method: 'POST', headers, search: '', body }, context });
  const request = { method: 'POST', headers: { 'content-type': 'application/json', ...(accept && { accept }) } } as IncomingMessage;
  const answer = await direct.answer(request, body, () => ({ db, loaders: definition.createLoaders(db) }));
  return { expected: await comparable(expected), actual: answer && (await comparable(answer)) };
}

const references = (typename: string, ids: number[]) => ids.map((id) => ({ __typename: typename, id: String(id) }));
const entities = (selection: string) => `query($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`;

test.each([
  ['finance', 'Order payments (public, 60 s)', { query: entities('... on Order { id payment { id amount status paidAt } }'), variables: { r: references('Order', [1, 2, 3, 999]) } }],
  ['finance', 'Customer transactions (PRIVATE)', { query: entities('... on Customer { id transactions(first: 3) { edges { node { id amount } } } }'), variables: { r: references('Customer', [1, 2]) } }],
  ['finance', 'a PRIVATE root field', { query: '{ transactionSummary { count } }' }],
  ['finance', 'a root field without a hint (no-store)', { query: 'query P($id: ID!) { payment(id: $id) { id amount } }', variables: { id: '1' }, operationName: 'P' }],
  ['finance', 'no representations (no-store)', { query: entities('__typename'), variables: { r: [] } }],
  ['finance', 'a resolver error (no-store, extensions.code)', { query: '{ anomalousTransactions(threshold: 3.0, after: "nope") { totalCount } }' }],
  ['finance', 'an unknown representation type', { query: entities('__typename'), variables: { r: references('Nope', [1]) } }],
  ['sales', 'orders with lines (inheritMaxAge)', { query: '{ orders(first: 5) { edges { cursor node { id placedAt lines { lineNo amount product { id } } customer { id } } } pageInfo { hasNextPage endCursor } } }' }],
  ['sales', 'a mutation error', { query: 'mutation { updateOrderStatus(id: "999999", status: PAID) { id } }' }],
  ['sales', '__typename only', { query: '{ __typename }' }],
])('%s: %s is answered directly, as Apollo Server answers it', async (subgraph, _name, body) => {
  const { expected, actual } = await bothAnswers(subgraph, body);
  expect(actual).toEqual(expected);
});

test.each([
  ['a syntax error', { query: '{ orders(' }],
  ['an invalid field', { query: '{ nope }' }],
  ['variables that do not coerce', { query: entities('__typename'), variables: {} }],
  ['an operation name that is not in the document', { query: '{ __typename }', operationName: 'Other' }],
  ['a persisted-query extension', { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } } }],
  ['a batch', [{ query: '{ __typename }' }]],
  ['variables that are not an object', { query: '{ __typename }', variables: [] }],
])('%s is left to Apollo Server', async (_name, body) => {
  const { actual } = await bothAnswers('sales', body);
  expect(actual).toBeNull();
});

test('an Accept header other than */* is left to Apollo Server (it negotiates the content type)', async () => {
  expect((await bothAnswers('sales', { query: '{ __typename }' }, 'application/graphql-response+json')).actual).toBeNull();
  const { expected, actual } = await bothAnswers('sales', { query: '{ __typename }' }, '*/*');
  expect(actual).toEqual(expected);
});
