/**
 * `npm run check -- subgraphs/<domain> [--json] [--baseline FILE]`: composes the
 * subgraph with all the others, lints the governance rules and reports breaking
 * changes against the current supergraph. Exit code 0 when there are no errors
 * (warnings allowed), 1 on errors, 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { checkSubgraph, DEFAULT_BASELINE, formatCheckReport } from './check';

const USAGE = 'usage: npm run check -- subgraphs/<domain> [--json] [--baseline schema/supergraph.graphql | --no-baseline]';

function main(): number {
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
  const report = checkSubgraph(positionals[0], { baseline: values['no-baseline'] ? null : (values.baseline ?? DEFAULT_BASELINE) });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatCheckReport(report));
  return report.ok ? 0 : 1;
}

process.exitCode = main();
