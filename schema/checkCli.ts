/**
 * `npm run check -- subgraphs/<domain> [--json] [--baseline FILE]`: composes the
 * subgraph with all the others, lints the governance rules and reports breaking
 * changes against the current supergraph, with the official operations
 * (operations/) as known usage. Exit code 0 when there are no errors
 * (warnings allowed), 1 on errors, 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { checkSubgraph, DEFAULT_BASELINE, formatCheckReport } from './check';
import { loadOfficialOperations, OFFICIAL_OPERATIONS_DIR, OfficialOperationsError } from '../gateway/src/operations/officialOperations';

const USAGE = 'usage: npm run check -- subgraphs/<domain> [--json] [--baseline schema/supergraph.graphql | --no-baseline]';

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, baseline: { type: 'string' }, 'no-baseline': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    console.error(`expected one subgraph folder, got ${positionals.length ? positionals.join(' ') : 'none'}\n${USAGE}`);
    return 2;
  }
  // The official operations (operations/) are the known usage breaking changes are judged by.
  let officialOperations;
  try {
    officialOperations = await loadOfficialOperations(OFFICIAL_OPERATIONS_DIR);
  } catch (error) {
    if (!(error instanceof OfficialOperationsError)) throw error;
    console.error(`${error.message}\n(npm run operations -- check says more)`);
    return 1;
  }
  const report = checkSubgraph(positionals[0], { baseline: values['no-baseline'] ? null : (values.baseline ?? DEFAULT_BASELINE), officialOperations });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatCheckReport(report));
  return report.ok ? 0 : 1;
}

main().then((code) => (process.exitCode = code));
