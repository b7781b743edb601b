/**
 * The assistant endpoint's cost: the latency of an MCP tool call against the
 * same official operation over /graphql, both measured in one run, on one
 * in-process test mesh (tests/harness.ts), as the same analyst.
 *
 *   node --import tsx bench/mcp.ts                                   # LateDeliveries, 300 calls each way
 *   node --import tsx bench/mcp.ts --operation CustomerTransactions --calls 500 --scale 0.05 --cache
 *
 * /graphql: a POST of `{ documentId, variables }` (how clients run an official
 * operation) with fetch. MCP: `tools/call` of the operation's tool with the
 * SDK's own client (StreamableHTTPClientTransport, one POST per call, stateless).
 * Calls are sequential (latency, not throughput), after a warm-up of each, and
 * alternate in rounds of 25 (/graphql then MCP), so a drift of the machine
 * affects both alike. Caches are off unless --cache: both then take the full
 * pipeline every time.
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadOfficialOperations, OFFICIAL_OPERATIONS_DIR } from '../gateway/src/operations/officialOperations';
import { TEST_SEED } from '../subgraphs/lib/testing';
import { startMesh, tokenFor } from '../tests/harness';
import { connectMcp } from '../tests/mcpClient';
import { ANALYST } from '../tests/principals';

const { values } = parseArgs({
  options: {
    operation: { type: 'string', default: 'LateDeliveries' },
    calls: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '30' },
    scale: { type: 'string', default: '0.01' },
    cache: { type: 'boolean', default: false },
  },
});
const calls = Number(values.calls);
const ROUND = 25;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
  return { n: samples.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), mean };
};
const ms = (value: number) => `${value.toFixed(2)} ms`;

async function main() {
  const operation = (await loadOfficialOperations(OFFICIAL_OPERATIONS_DIR)).find((candidate) => candidate.name === values.operation);
  if (!operation) throw new Error(`no official operation named ${values.operation}`);
  console.log(`starting the test mesh (scale ${values.scale}${values.cache ? ', in-process cache on' : ', caches off'})...`);
  const mesh = await startMesh({ seed: { ...TEST_SEED, scale: Number(values.scale) }, gateway: values.cache ? { cache: {} } : {} });
  try {
    const headers = await tokenFor(ANALYST);
    const body = JSON.stringify({ documentId: operation.id, variables: {} });
    let graphqlBytes = 0;
    const overGraphQL = async () => {
      const response = await fetch(mesh.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      const text = await response.text();
      if (response.status !== 200) throw new Error(`/graphql answered ${response.status}: ${text.slice(0, 200)}`);
      graphqlBytes = text.length;
    };
    const client = await connectMcp(mesh, headers);
    let mcpBytes = 0;
    const overMcp = async () => {
      const result = await client.callTool({ name: operation.name, arguments: {} });
      if (result.isError) throw new Error(`the tool failed: ${JSON.stringify(result.content).slice(0, 200)}`);
      mcpBytes = JSON.stringify(result.content).length;
    };
    const time = async (run: () => Promise<void>) => {
      const started = performance.now();
      await run();
      return performance.now() - started;
    };

    console.log(`warming up: ${values.warmup} calls each way`);
    for (let i = 0; i < Number(values.warmup); i++) {
      await overGraphQL();
      await overMcp();
    }
    const samples = { graphql: [] as number[], mcp: [] as number[] };
    while (samples.mcp.length < calls) {
      const count = Math.min(ROUND, calls - samples.mcp.length);
      for (let i = 0; i < count; i++) samples.graphql.push(await time(overGraphQL));
      for (let i = 0; i < count; i++) samples.mcp.push(await time(overMcp));
      const soFar = (key: 'graphql' | 'mcp') => ms(summary(samples[key]).p50);
      console.log(`  ${samples.mcp.length}/${calls} calls each way; p50 so far /graphql ${soFar('graphql')}, MCP ${soFar('mcp')}`);
    }
    await client.close();

    const graphql = summary(samples.graphql);
    const mcp = summary(samples.mcp);
    console.log(`\n${operation.name} (${createHash('sha256').update(operation.document).digest('hex').slice(0, 12)}), ${calls} sequential calls each way, as ${ANALYST.sub} (analyst)`);
    console.log(`answer sizes: /graphql ${graphqlBytes} bytes, MCP tool result ${mcpBytes} bytes (JSON inside JSON-RPC)\n`);
    console.log('| path | p50 | p90 | p99 | mean |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const [name, row] of [['/graphql (documentId)', graphql], ['MCP tools/call', mcp]] as const) console.log(`| ${name} | ${ms(row.p50)} | ${ms(row.p90)} | ${ms(row.p99)} | ${ms(row.mean)} |`);
    console.log(`| MCP minus /graphql | ${ms(mcp.p50 - graphql.p50)} | ${ms(mcp.p90 - graphql.p90)} | ${ms(mcp.p99 - graphql.p99)} | ${ms(mcp.mean - graphql.mean)} |`);
  } finally {
    await mesh.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
