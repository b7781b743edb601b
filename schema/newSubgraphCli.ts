/**
 * `npm run new-subgraph -- <domain> [--entity TypeName]`: scaffolds
 * subgraphs/<domain>/ from the template and registers it. Exit code 1 when the
 * name is invalid or taken (nothing is written), 2 on bad usage.
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { newSubgraph } from './newSubgraph';

const USAGE = 'usage: npm run new-subgraph -- <domain> [--entity TypeName]';

function main(): number {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { entity: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
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
    console.error(`expected one domain name, got ${positionals.length ? positionals.join(' ') : 'none'}\n${USAGE}`);
    return 2;
  }
  const outcome = newSubgraph({ domain: positionals[0], entity: values.entity });
  if (!outcome.ok) {
    console.error(`Cannot create the subgraph:\n${outcome.errors.map((error) => `  - ${error}`).join('\n')}`);
    return 1;
  }
  const dir = relative(process.cwd(), outcome.dir);
  console.log(`Created ${dir}/ (entity ${outcome.entity}, port ${outcome.port}) and registered it in subgraphs/index.ts:`);
  for (const file of outcome.files) console.log(`  ${relative(process.cwd(), file)}`);
  console.log(`
Next:
  npm run jest -- ${dir}            # its test passes as generated
  npm run check -- ${dir}           # composition, governance, breaking changes
  npm run subgraph -- ${outcome.domain} --port ${outcome.port}
Then fill in the TODOs of ${dir}/dataproduct.yaml and shape the schema to your data.`);
  return 0;
}

process.exitCode = main();
