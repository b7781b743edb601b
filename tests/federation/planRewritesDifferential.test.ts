/**
 * The plan rewrites (gateway/src/execution/plan/rewrites/) must not change a
 * single byte of any response. Every operation of the federation semantics
 * suite and of the planner families (read from semantics.test.ts and
 * plannerFamilies.test.ts themselves, so a new case is covered without
 * touching this file) and every sample of bench/'s workloads runs once through
 * a gateway with execution.planRewrites on and once through one with it off,
 * in front of the same subgraphs; the response texts must be equal, and the
 * rewritten plans must never send more subgraph fetches.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseConfig } from '../../gateway/src/config';
import { startGateway, type RunningGateway } from '../../gateway/src';
import { createLogger } from '../../gateway/src/logger';
import { countsFor } from '../../subgraphs/lib/scenario';
import { TEST_SEED } from '../../subgraphs/lib/testing';
import { allWorkloads } from '../../bench/workloads';
import { startExtraGateway, startMesh, tokenFor, type TestMesh } from '../harness';
import { ADMIN } from '../principals';
import { createFederation1Fixtures, createFederation2Fixtures } from './fixtures/subgraphs';
import { serveSubgraphs, type ServedSubgraphs } from './fixtures/federation';
import { conflictingRequiresFixtures, interfaceObjectFixtures, keyConversionFixtures, nestedRequiresFixtures, refetchedShareableFixtures } from './fixtures/plannerFamilies';
import type { FixtureSubgraph } from './fixtures/serve';

type Operation = { query: string; variables?: Record<string, unknown> };

/** The operations a suite file sends: the first argument of each fed.query(...) and the variables after it. */
function suiteOperations(file: string): Operation[] {
  const source = readFileSync(join(__dirname, file), 'utf8');
  const constants = new Map<string, string>();
  for (const match of source.matchAll(/const (\w+) = `([^`]*)`/g)) constants.set(match[1], match[2]);
  const operations: Operation[] = [];
  for (const match of source.matchAll(/fed\.query\(\s*(?:'((?:[^'\\]|\\.)*)'|`([^`]*)`|(\w+))/g)) {
    const query = match[1]?.replace(/\\'/g, "'") ?? match[2] ?? constants.get(match[3]!);
    if (!query) throw new Error(`semantics.test.ts: cannot read the operation of ${match[0]}`);
    let rest = source.slice(match.index! + match[0].length).trimStart();
    let variables: Record<string, unknown> | undefined;
    if (rest.startsWith(',')) {
      rest = rest.slice(1).trimStart();
      if (rest.startsWith('{')) {
        let depth = 0;
        let end = 0;
        for (; end < rest.length; end++) {
          if (rest[end] === '{') depth++;
          if (rest[end] === '}' && --depth === 0) break;
        }
        variables = new Function(`return (${rest.slice(0, end + 1)})`)();
      }
    }
    operations.push({ query, variables });
  }
  return operations;
}

async function post(url: string, operation: Operation, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(operation) });
  return `${response.status} ${await response.text()}`;
}

async function fixtureGateway(supergraphFile: string, planRewrites: boolean): Promise<RunningGateway> {
  const config = parseConfig({
    server: { port: 0 },
    supergraph: { source: 'file', file: supergraphFile },
    authorization: { policies: 'permissive' },
    audit: { file: join(dirname(supergraphFile), `audit-${planRewrites}.jsonl`) },
    logging: { level: 'silent' },
    execution: { planRewrites },
    // Every operation executes: no response or entity cache in between.
    cache: { responseCache: { enabled: false }, entityCache: { enabled: false }, dedupe: { enabled: false } },
  });
  return startGateway(config, createLogger('silent'));
}

const fixed = (subgraphs: FixtureSubgraph[]) => () => ({ subgraphs, reset: () => undefined });

describe.each([
  ['Federation 2 semantics', 'semantics.test.ts', 30, false, () => createFederation2Fixtures()],
  ['Federation 1 semantics', 'semantics.test.ts', 30, false, fixed(createFederation1Fixtures())],
  ['planner families: key conversion', 'plannerFamilies.test.ts', 5, false, fixed(keyConversionFixtures())],
  ['planner families: @interfaceObject', 'plannerFamilies.test.ts', 5, false, fixed(interfaceObjectFixtures())],
  ['planner families: conflicting @requires', 'plannerFamilies.test.ts', 5, true, fixed(conflictingRequiresFixtures())],
  ['planner families: nested @requires', 'plannerFamilies.test.ts', 5, false, fixed(nestedRequiresFixtures())],
  ['planner families: a refetched @shareable field', 'plannerFamilies.test.ts', 5, true, fixed(refetchedShareableFixtures())],
])('plan rewrites change no byte of a response: %s suite', (_, file, atLeast, merges, create) => {
  const fixtures = create();
  let served: ServedSubgraphs;
  const gateways: RunningGateway[] = [];
  const fetches = () => Object.values(served.byName).reduce((sum, subgraph) => sum + subgraph.received.length, 0);

  beforeAll(async () => {
    served = await serveSubgraphs(fixtures.subgraphs);
    const file = served.writeSupergraph();
    gateways.push(await fixtureGateway(file, true), await fixtureGateway(file, false));
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.stop();
    await served?.stop();
  });

  test(`every operation of ${file} answers the same text, with no more fetches`, async () => {
    const operations = suiteOperations(file);
    expect(operations.length).toBeGreaterThan(atLeast);
    let withRewrites = 0;
    let without = 0;
    for (const operation of operations) {
      const answers: string[] = [];
      for (const gateway of gateways) {
        fixtures.reset();
        served.resetReceived();
        answers.push(await post(gateway.url, operation));
        if (gateway === gateways[0]) withRewrites += fetches();
        else without += fetches();
      }
      expect({ operation: operation.query, answer: answers[0] }).toEqual({ operation: operation.query, answer: answers[1] });
    }
    // Where the suite has fetches to merge, the rewrites must have merged some.
    if (merges) expect(withRewrites).toBeLessThan(without);
    else expect(withRewrites).toBeLessThanOrEqual(without);
  });
});

describe('plan rewrites change no byte of a response: bench/ workloads on the mesh', () => {
  let mesh: TestMesh;
  let plain: RunningGateway;

  beforeAll(async () => {
    mesh = await startMesh();
    plain = await startExtraGateway(mesh, { execution: { planRewrites: false } });
  }, 120_000);
  afterAll(async () => {
    await plain?.stop();
    await mesh?.stop();
  });

  test('every sample answers the same text; hops (with @requires and @provides on the way) is sent in 6 fetches instead of 11', async () => {
    const headers = await tokenFor(ADMIN);
    const fetches = () => Object.values(mesh.subgraphs).reduce((sum, subgraph) => sum + subgraph.received.length, 0);
    const counts: Record<string, [number, number]> = {};
    for (const workload of allWorkloads(countsFor(TEST_SEED.scale))) {
      for (const sample of workload.samples) {
        mesh.resetReceived();
        const rewritten = await post(mesh.gateway.url, sample, headers);
        const withRewrites = fetches();
        mesh.resetReceived();
        const original = await post(plain.url, sample, headers);
        counts[workload.name] = [withRewrites, fetches()];
        expect(rewritten.startsWith('200 {"data":')).toBe(true);
        expect({ workload: workload.name, answer: rewritten }).toEqual({ workload: workload.name, answer: original });
        expect(withRewrites).toBeLessThanOrEqual(fetches());
      }
    }
    // The planner's 12: sales, then finance ×3, logistics ×2, marketing ×2, customers ×2 and products ×2 (category, price:
    // the lines' product names come with sales' fetch); the rewrites merge each subgraph's into one.
    expect(counts.hops).toEqual([6, 12]);
  }, 120_000);
});
