/**
 * The benchmark's baseline: plain @apollo/gateway behind @apollo/server's
 * standalone server, all defaults (its own fetcher, no plugins, no identity,
 * no limits). Two things are added only so it can run at all, and nothing else:
 *
 * - it signs every subgraph request for its subgraph (subgraphs/lib/signing.ts)
 *   with the fixed benchmark principal and MESHGATE_SIGNING_KEY (the development
 *   key when unset), because the subgraphs answer only signed requests;
 * - it marks the supergraph's `for: SECURITY` links as plain features, because
 *   @apollo/gateway refuses a supergraph with security features it does not
 *   enforce (meshgate does the same before handing it the supergraph).
 *
 *   node --import tsx bench/baselineGateway.ts --supergraph FILE [--port 0]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { withSecurityEnforcedByMeshgate } from '../gateway/src/supergraph/securityFeatures';
import { requestSignerFor } from '../subgraphs/lib/signing';
import { DEVELOPMENT_SIGNING_KEY } from '../subgraphs/lib/signingKeys';
import { SUBGRAPH_PRINCIPAL } from './principal';

const signer = requestSignerFor(process.env.MESHGATE_SIGNING_KEY || DEVELOPMENT_SIGNING_KEY);

class SigningDataSource extends RemoteGraphQLDataSource {
  constructor(private readonly subgraph: string, url: string) {
    super({ url });
  }

  willSendRequest({ request }: GraphQLDataSourceProcessOptions<Record<string, any>>) {
    // RemoteGraphQLDataSource sends JSON.stringify({ query, ...the rest of the request but http }): sign exactly those bytes.
    const { http, query, ...rest } = request;
    const body = JSON.stringify({ query, ...rest });
    for (const [name, value] of Object.entries(signer.headers({ audience: this.subgraph, principal: SUBGRAPH_PRINCIPAL, body }))) http!.headers.set(name, value);
  }
}

async function main() {
  const { values } = parseArgs({ options: { supergraph: { type: 'string' }, port: { type: 'string', default: '0' } } });
  if (!values.supergraph) throw new Error('--supergraph FILE is required');
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: withSecurityEnforcedByMeshgate(readFileSync(values.supergraph, 'utf8')),
    buildService: ({ name, url }) => new SigningDataSource(name, url!),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { host: '127.0.0.1', port: Number(values.port) } });
  console.log(`baseline gateway listening at ${url}`);
  const shutdown = async () => {
    await server.stop();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error) => {
  console.error(`baseline gateway failed: ${error instanceof Error ? error.stack : error}`);
  process.exit(1);
});
