/**
 * Issue 14: Apollo Client users run the official operations from the published
 * manifest, with Apollo's own client pieces and nothing of ours: Apollo
 * Client's PersistedQueryLink, ids from the manifest through
 * @apollo/persisted-query-lists, its HttpLink over real HTTP. The order
 * service, which may run official operations only, gets its data: the
 * client sent the id, not the text.
 */
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { generatePersistedQueryIdsFromManifest } from '@apollo/persisted-query-lists';
import { persistedQueryManifest } from '../../gateway/src/operations/manifest';
import { loadOfficialOperations, OFFICIAL_OPERATIONS_DIR } from '../../gateway/src/operations/officialOperations';
import { tokenFor, type TestMesh } from '../harness';
import { ORDER_SERVICE } from '../principals';
import { startOfficialMesh } from './officialMesh';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startOfficialMesh();
}, 120_000);
afterAll(() => mesh?.stop());

test("Apollo Client with the manifest's ids runs Revenue as the order service (official-only), sending the id alone", async () => {
  const operations = await loadOfficialOperations(OFFICIAL_OPERATIONS_DIR);
  const manifest = persistedQueryManifest(operations);
  const sent: unknown[] = [];
  const headers = await tokenFor(ORDER_SERVICE);
  const http = new HttpLink({
    uri: mesh.gateway.url,
    headers,
    fetch: async (input, init) => {
      sent.push(JSON.parse(String(init?.body)));
      return fetch(input, init);
    },
  });
  const client = new ApolloClient({
    link: new PersistedQueryLink(generatePersistedQueryIdsFromManifest({ loadManifest: async () => manifest })).concat(http),
    cache: new InMemoryCache(),
  });
  const revenue = operations.find((operation) => operation.name === 'Revenue')!;
  const result = await client.query({ query: gql(revenue.document), variables: { first: 1 }, fetchPolicy: 'no-cache' });
  expect(result.error).toBeUndefined();
  expect((result.data as any).campaignPerformance.length).toBeGreaterThan(0);
  expect(sent).toEqual([{ operationName: 'Revenue', variables: { first: 1 }, extensions: expect.objectContaining({ persistedQuery: { version: 1, sha256Hash: revenue.id } }) }]);
  expect(sent[0]).not.toHaveProperty('query');
});
