/**
 * `npm run compose`: composes the local domains into schema/supergraph.graphql,
 * with the URLs they have when `npm start` runs them. Exits 1 on composition errors.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PORTS, domains } from '../subgraphs';
import { composeSupergraph } from './compose';

const outcome = composeSupergraph(
  domains.map((domain) => ({ name: domain.name, url: `http://127.0.0.1:${DEFAULT_PORTS[domain.name]}/graphql`, typeDefs: domain.typeDefs })),
);
if (!outcome.ok) {
  console.error(`Composition failed with ${outcome.errors.length} error(s):`);
  for (const error of outcome.errors) console.error(`  - ${error}`);
  process.exit(1);
}
const target = join(__dirname, 'supergraph.graphql');
writeFileSync(target, outcome.supergraphSdl);
console.log(`Wrote ${target} (${domains.length} subgraphs${outcome.hints.length ? `, ${outcome.hints.length} hints` : ''})`);
