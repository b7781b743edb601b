/**
 * `npm run export -- <target> [--out PATH]`:
 *   odcs         each product's contract as ODCS v3 YAML, one file per product
 *                (default schema/exports/odcs/<id>.odcs.yaml);
 *   json-schema  the descriptor's JSON Schema for editors (default schema/dataproduct.schema.json).
 * Exit code 1 when a product's descriptor is invalid (the others are still written), 2 on bad usage.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { domains } from '../subgraphs';
import { descriptorJsonSchema, loadDescriptor } from '../subgraphs/lib/descriptor';
import { toOdcsContract, tableForType } from './exportOdcs';
import { parseTables } from './lint/facts';

const USAGE = 'usage: npm run export -- odcs [--out schema/exports/odcs] | json-schema [--out schema/dataproduct.schema.json]';
export const JSON_SCHEMA_FILE = join(__dirname, 'dataproduct.schema.json');
export const DEFAULT_ODCS_DIR = join(__dirname, 'exports', 'odcs');

/** The descriptor's JSON Schema, formatted as the committed file is. */
export const descriptorJsonSchemaText = () => `${JSON.stringify(descriptorJsonSchema(), null, 2)}\n`;

const readTables = (dir: string) => (existsSync(join(dir, 'tables.sql')) ? readFileSync(join(dir, 'tables.sql'), 'utf8') : null);

/** Writes one ODCS YAML per registered product; returns the files written and the products that could not be exported. */
export function exportOdcs(outDir: string): { written: string[]; errors: string[] } {
  const tablesByDomain = new Map(domains.map((domain) => [domain.name, parseTables(readTables(domain.dir) ?? '')]));
  const ownerOfType = (typeName: string) => domains.find((domain) => tableForType(typeName, tablesByDomain.get(domain.name)!))?.name;
  const written: string[] = [];
  const errors: string[] = [];
  mkdirSync(outDir, { recursive: true });
  for (const domain of domains) {
    const outcome = loadDescriptor(domain.dir);
    if (!outcome.ok) {
      errors.push(...outcome.errors.map((error) => `${domain.name}: ${error}`));
      continue;
    }
    const contract = toOdcsContract({ descriptor: outcome.descriptor, typeDefs: domain.typeDefs, tablesSql: readTables(domain.dir), ownerOfType });
    const file = join(outDir, `${outcome.descriptor.id}.odcs.yaml`);
    const header = `# ODCS ${contract.apiVersion} data contract of the ${outcome.descriptor.name} data product.\n# Generated from subgraphs/${domain.name}/ by \`npm run export -- odcs\`; edit the descriptor and schema, not this file.\n`;
    writeFileSync(file, header + stringify(contract, { lineWidth: 0 }));
    written.push(file);
  }
  return { written, errors };
}

function main(): number {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const [target, ...rest] = positionals;
  if (rest.length || (target !== 'odcs' && target !== 'json-schema')) {
    console.error(`expected one target, odcs or json-schema, got ${positionals.length ? positionals.join(' ') : 'none'}\n${USAGE}`);
    return 2;
  }
  if (target === 'json-schema') {
    const file = values.out ?? JSON_SCHEMA_FILE;
    writeFileSync(file, descriptorJsonSchemaText());
    console.log(`Wrote ${relative(process.cwd(), file)}`);
    return 0;
  }
  const { written, errors } = exportOdcs(values.out ?? DEFAULT_ODCS_DIR);
  for (const file of written) console.log(`Wrote ${relative(process.cwd(), file)}`);
  if (errors.length) {
    console.error(`Not exported, the descriptor is invalid (npm run check -- subgraphs/<domain> says more):\n${errors.map((e) => `  - ${e}`).join('\n')}`);
    return 1;
  }
  return 0;
}

if (require.main === module) process.exitCode = main();
