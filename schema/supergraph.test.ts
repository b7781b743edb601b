/**
 * schema/supergraph.graphql is the published supergraph: the baseline that
 * `npm run check` reports breaking changes against. It must be what the
 * domains in this repository compose to (`npm run compose` rewrites it).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PORTS, domains } from '../subgraphs';
import { composeSupergraph } from './compose';

test('the published supergraph is the composition of the current domains', () => {
  const outcome = composeSupergraph(
    domains.map((domain) => ({ name: domain.name, url: `http://127.0.0.1:${DEFAULT_PORTS[domain.name]}/graphql`, typeDefs: domain.typeDefs })),
  );
  if (!outcome.ok) throw new Error(outcome.errors.join('\n'));
  expect(readFileSync(join(__dirname, 'supergraph.graphql'), 'utf8')).toBe(outcome.supergraphSdl);
});
