/**
 * Issue 16: a merged fetch's parts still go through the entity cache one by
 * one (plan/FetchBatch.ts gathers only what reaches the network): hits are
 * served from the cache, and only the parts' misses are sent, in one request.
 */
import { dirname, join } from 'node:path';
import { parse } from 'graphql';
import { parseConfig } from '../../gateway/src/config';
import { startGateway, type RunningGateway } from '../../gateway/src';
import { createLogger } from '../../gateway/src/logger';
import { serveSubgraphs, type ServedSubgraphs } from './fixtures/federation';
import type { FixtureSubgraph } from './fixtures/serve';

const FED2 = 'https://specs.apollo.dev/federation/v2.3';

const subgraphs: FixtureSubgraph[] = [
  {
    name: 'lists',
    typeDefs: parse(`
      extend schema @link(url: "${FED2}", import: ["@key"])
      type Book @key(fields: "id") { id: ID! }
      type Film @key(fields: "id") { id: ID! }
      type Query { books(ids: [ID!]!): [Book!]! films: [Film!]! }
    `),
    resolvers: { Query: { books: (_: unknown, { ids }: { ids: string[] }) => ids.map((id) => ({ id })), films: () => [{ id: 'f1' }, { id: 'f2' }] } },
  },
  {
    name: 'scores',
    typeDefs: parse(`
      extend schema @link(url: "${FED2}", import: ["@key"])
      enum CacheControlScope { PUBLIC PRIVATE }
      directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
      type Book @key(fields: "id") @cacheControl(maxAge: 60) { id: ID! score: Int! }
      type Film @key(fields: "id") @cacheControl(maxAge: 60) { id: ID! score: Int! }
    `),
    resolvers: {
      Book: { __resolveReference: (ref: { id: string }) => ref, score: (book: { id: string }) => Number(book.id.slice(1)) },
      Film: { __resolveReference: (ref: { id: string }) => ref, score: (film: { id: string }) => 10 * Number(film.id.slice(1)) },
    },
  },
];

describe('merged fetches and the entity cache', () => {
  let served: ServedSubgraphs;
  let gateway: RunningGateway;
  const query = (ids: string[]) =>
    fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'query($ids: [ID!]!) { books(ids: $ids) { id score } films { id score } }', variables: { ids } }) }).then(
      (response) => response.json() as Promise<{ data?: unknown; errors?: unknown }>,
    );

  beforeAll(async () => {
    served = await serveSubgraphs(subgraphs);
    const file = served.writeSupergraph();
    const config = parseConfig({
      server: { port: 0 },
      supergraph: { source: 'file', file },
      authorization: { policies: 'permissive' },
      audit: { file: join(dirname(file), 'audit.jsonl') },
      logging: { level: 'silent' },
      cache: { responseCache: { enabled: false }, entityCache: { enabled: true }, dedupe: { enabled: false } },
    });
    gateway = await startGateway(config, createLogger('silent'));
  });
  afterAll(async () => {
    await gateway?.stop();
    await served?.stop();
  });

  test('cold: one request for both parts; warm: none; one new book: only it, in its part\'s own operation', async () => {
    const scores = () => served.byName.scores.received;
    expect(await query(['b1'])).toEqual({ data: { books: [{ id: 'b1', score: 1 }], films: [{ id: 'f1', score: 10 }, { id: 'f2', score: 20 }] } });
    expect(scores()).toHaveLength(1);
    expect(scores()[0].query).toMatch(/_entities_0:_entities.*_entities_1:_entities/);

    served.resetReceived();
    expect(await query(['b1'])).toEqual({ data: { books: [{ id: 'b1', score: 1 }], films: [{ id: 'f1', score: 10 }, { id: 'f2', score: 20 }] } });
    expect(scores()).toHaveLength(0);

    served.resetReceived();
    expect(await query(['b1', 'b3'])).toEqual({ data: { books: [{ id: 'b1', score: 1 }, { id: 'b3', score: 3 }], films: [{ id: 'f1', score: 10 }, { id: 'f2', score: 20 }] } });
    expect(scores()).toHaveLength(1);
    expect(scores()[0].query).not.toContain('_entities_0');
    expect(scores()[0].variables).toEqual({ representations: [{ __typename: 'Book', id: 'b3' }] });
  });
});
