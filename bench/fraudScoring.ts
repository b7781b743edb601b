/**
 * What fraud scores cost (issue 19): one request to the finance subgraph for 1,000 transactions with
 * `fraudScore`, against the same request without it, on a seeded in-memory database (scale 0.1:
 * about 20,000 transactions). Prints the median and p95 of each, and the difference: the cost of
 * scoring 1,000 transactions in one request (one history statement, one pass of the model).
 *
 *   node --import tsx bench/fraudScoring.ts [--runs 15] [--scale 0.1]
 */
import { parseArgs } from 'node:util';
import { ANCHOR } from '../subgraphs/lib/scenario';
import { startDomainForTest } from '../subgraphs/lib/testing';
import { finance } from '../subgraphs/finance';
import { servedModel } from '../subgraphs/finance/fraud/model';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' }, scale: { type: 'string', default: '0.1' } } });
const runs = Number(values.runs);

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function main() {
  const domain = await startDomainForTest(finance, { seed: 42, scale: Number(values.scale), now: ANCHOR });
  const plain = '{ transactions(first: 1000) { edges { node { id amount occurredAt } } } }';
  const scored = '{ transactions(first: 1000) { edges { node { id amount occurredAt fraudScore { score modelVersion } } } } }';
  const time = async (query: string) => {
    const started = performance.now();
    const result = await domain.request<any>(query);
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    if (result.data.transactions.edges.length !== 1000) throw new Error('expected 1,000 transactions');
    return performance.now() - started;
  };
  for (let i = 0; i < 3; i++) {
    await time(plain);
    await time(scored);
  }
  const plainMs: number[] = [];
  const scoredMs: number[] = [];
  const passes = servedModel().passes;
  for (let i = 0; i < runs; i++) {
    plainMs.push(await time(plain));
    scoredMs.push(await time(scored));
  }
  const scoringPasses = servedModel().passes - passes;
  plainMs.sort((a, b) => a - b);
  scoredMs.sort((a, b) => a - b);
  const line = (name: string, ms: number[]) => `${name.padEnd(28)} median ${quantile(ms, 0.5).toFixed(1)} ms, p95 ${quantile(ms, 0.95).toFixed(1)} ms`;
  console.log(`finance subgraph, ${runs} runs each, model ${servedModel().card.version}`);
  console.log(line('1,000 transactions', plainMs));
  console.log(line('1,000 transactions + scores', scoredMs));
  console.log(`scoring 1,000 transactions in one request: ${(quantile(scoredMs, 0.5) - quantile(plainMs, 0.5)).toFixed(1)} ms (median difference); ${scoringPasses / runs} scoring pass per request`);
  await domain.stop();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
