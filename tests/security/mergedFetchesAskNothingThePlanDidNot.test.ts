/**
 * Issue 16: a merged fetch (plan rewrites) is one request standing for
 * several of the planner's fetches. It must carry the signed principal of the
 * client who asked, and select, per subgraph, exactly the fields the planner's
 * fetches selected: never a field authorization removed, never one more.
 * The hops workload merges fetches to finance, logistics, marketing and
 * customers; an analyst may not read personal data (customer name), so that
 * field is denied before planning and must not reach the customers subgraph.
 */
import { Kind, parse, visit } from 'graphql';
import { hopsRequest } from '../../bench/workloads/hops';
import { startExtraGateway, startMesh, tokenFor, queryGateway, type TestMesh } from '../harness';
import type { RunningGateway } from '../../gateway/src';
import { ANALYST } from '../principals';

/** Per subgraph, the sorted field names (not aliases) of every request it received. */
function fieldsBySubgraph(mesh: TestMesh): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [name, subgraph] of Object.entries(mesh.subgraphs)) {
    const fields: string[] = [];
    for (const request of subgraph.received) {
      visit(parse(request.query!), { Field: (node) => void (node.name.value !== '_entities' && node.kind === Kind.FIELD && fields.push(node.name.value)) });
    }
    result[name] = fields.sort();
  }
  return result;
}

describe('merged fetches ask nothing the plan did not, on behalf of the same principal', () => {
  let mesh: TestMesh;
  let plain: RunningGateway;

  beforeAll(async () => {
    mesh = await startMesh({ gateway: { authorization: { enabled: true, policies: 'mesh' } } });
    plain = await startExtraGateway(mesh, { authorization: { enabled: true, policies: 'mesh' }, execution: { planRewrites: false } });
  }, 120_000);
  afterAll(async () => {
    await plain?.stop();
    await mesh?.stop();
  });

  test('same fields per subgraph as the unrewritten plan, no denied field, every request signed for the analyst', async () => {
    const headers = await tokenFor(ANALYST);
    const { query, variables } = hopsRequest(10);
    mesh.resetReceived();
    const rewritten = await queryGateway(mesh.gateway.url, query, variables, headers);
    const merged = fieldsBySubgraph(mesh);
    const requests = Object.values(mesh.subgraphs).flatMap((subgraph) => subgraph.received);
    mesh.resetReceived();
    const original = await queryGateway(plain.url, query, variables, headers);
    const planned = fieldsBySubgraph(mesh);
    const plannedRequests = Object.values(mesh.subgraphs).flatMap((subgraph) => subgraph.received);

    expect(rewritten.body).toEqual(original.body);
    expect(rewritten.body.errors?.some((error) => error.extensions?.code === 'FORBIDDEN' && error.path?.includes('name'))).toBe(true);
    // Fewer requests, the same fields: a merged request is the union of its parts' selections.
    expect(requests.length).toBeLessThan(plannedRequests.length);
    expect(merged).toEqual(planned);
    expect(merged.customers).not.toContain('name');
    expect(requests.some((request) => /_entities_\d+:_entities/.test(request.query!))).toBe(true);
    for (const request of requests) expect(request.principal?.id).toBe(ANALYST.sub);
  }, 60_000);
});
