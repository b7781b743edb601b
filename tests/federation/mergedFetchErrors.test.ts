/**
 * Issue 16: one request answering several entity fetches (a merged fetch)
 * must report each subgraph error at the client's paths of the fetch it
 * belongs to, exactly as the fetches sent alone would, and one part's error
 * must never null or touch another part's entities.
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
      type Query { books: [Book!]! films: [Film!]! }
    `),
    resolvers: { Query: { books: () => [{ id: 'b1' }, { id: 'b2' }], films: () => [{ id: 'f1' }, { id: 'f2' }, { id: 'f3' }] } },
  },
  {
    name: 'scores',
    typeDefs: parse(`
      extend schema @link(url: "${FED2}", import: ["@key"])
      type Book @key(fields: "id") { id: ID! score: Int }
      type Film @key(fields: "id") { id: ID! score: Int }
    `),
    resolvers: {
      Book: { __resolveReference: (ref: { id: string }) => ref, score: (book: { id: string }) => Number(book.id.slice(1)) },
      Film: {
        __resolveReference: (ref: { id: string }) => ref,
        score: (film: { id: string }) => {
          if (film.id === 'f2') throw new Error('no score for f2');
          return 10 * Number(film.id.slice(1));
        },
      },
    },
  },
];

describe('errors of a merged fetch go to the paths of the fetch they belong to', () => {
  let served: ServedSubgraphs;
  const gateways: RunningGateway[] = [];

  beforeAll(async () => {
    served = await serveSubgraphs(subgraphs);
    const file = served.writeSupergraph();
    for (const planRewrites of [true, false]) {
      const config = parseConfig({
        server: { port: 0 },
        supergraph: { source: 'file', file },
        authorization: { policies: 'permissive' },
        audit: { file: join(dirname(file), `audit-${planRewrites}.jsonl`) },
        logging: { level: 'silent' },
        execution: { planRewrites },
        // Every operation executes: no response or entity cache in between.
        cache: { responseCache: { enabled: false }, entityCache: { enabled: false }, dedupe: { enabled: false } },
      });
      gateways.push(await startGateway(config, createLogger('silent')));
    }
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop();
    await served?.stop();
  });

  test("films' error is at films.1.score only; books are untouched; same body as the fetches sent alone", async () => {
    const bodies: string[] = [];
    for (const gateway of gateways) {
      served.resetReceived();
      const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ books { id score } films { id score } }' }) });
      bodies.push(await response.text());
      // With rewrites one request to scores answers both types; without, one each.
      expect(served.byName.scores.received).toHaveLength(gateway === gateways[0] ? 1 : 2);
    }
    const body = JSON.parse(bodies[0]);
    expect(body.data).toEqual({
      books: [{ id: 'b1', score: 1 }, { id: 'b2', score: 2 }],
      films: [{ id: 'f1', score: 10 }, { id: 'f2', score: null }, { id: 'f3', score: 30 }],
    });
    expect(body.errors.map((error: { path: unknown; extensions: { serviceName: string } }) => [error.path, error.extensions.serviceName])).toEqual([[['films', 1, 'score'], 'scores']]);
    // Byte for byte but the development-mode stack traces (they name the executor's functions).
    const withoutStacks = (text: string) => text.replace(/"stacktrace":\[[^\]]*\]/g, '"stacktrace":[]');
    expect(withoutStacks(bodies[0])).toBe(withoutStacks(bodies[1]));
  });
});
