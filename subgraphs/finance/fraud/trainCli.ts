/**
 * `npm run train-fraud-model [-- --seed 42 --scale 0.5 --check]`: trains finance's fraud model on finance's
 * own tables, seeded into a fresh in-memory database at the pinned story end (ANCHOR, so the same seed
 * and scale always give the same data and the same forest), writes subgraphs/finance/model/fraud-score.json
 * and the model card into dataproduct.yaml (models:), and prints the held-out figures next to the rules'.
 *
 * Exit code 1 when the new model falls below the descriptor's model quality rules (the same thresholds
 * `npm run quality` holds the served model to); it then writes nothing. `--check` trains and
 * compares without writing. Must never: touch a running mesh's database.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { stringify } from 'yaml';
import { PgliteDb } from '../../lib/db';
import { loadDescriptor } from '../../lib/descriptor';
import { ANCHOR } from '../../lib/scenario';
import { seedDomain } from '../../lib/storage';
import type { SubgraphDefinition } from '../../lib/subgraph';
import { finance } from '..';
import { labeledTransactions } from '../store';
import { MODEL_FILE, type ModelFile } from './model';
import { trainFraudModel } from './train';
import { modelRuleFailures } from './modelRules';

const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** The model card as the descriptor lists it (everything but the forest). */
export function descriptorEntry(file: ModelFile) {
  const { forest: _forest, ...card } = file;
  return { ...card, file: 'model/fraud-score.json' };
}

const MODELS_HEADER = '# Written by npm run train-fraud-model: the model card of each model the product serves.\nmodels:\n';

/** The descriptor's text with its models section (always last) replaced, and every other line kept as written. */
export function withModelCard(text: string, file: ModelFile): string {
  const at = text.indexOf(MODELS_HEADER);
  const kept = (at >= 0 ? text.slice(0, at) : text).trimEnd();
  const entry = stringify([descriptorEntry(file)], { lineWidth: 0 }).replace(/^/gm, '  ').trimEnd();
  return `${kept}\n${MODELS_HEADER}${entry}\n`;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { seed: { type: 'string', default: '42' }, scale: { type: 'string', default: '0.5' }, check: { type: 'boolean', default: false } } });
  const seed = Number(values.seed);
  const scale = Number(values.scale);
  if (!Number.isInteger(seed) || !(scale > 0 && scale <= 2)) {
    console.error(`--seed must be an integer and --scale a number in (0, 2], got ${values.seed} and ${values.scale}`);
    return 2;
  }
  const started = performance.now();
  const db = new PgliteDb(await PGlite.create(), true);
  try {
    await seedDomain(db, finance as SubgraphDefinition<any>, { seed, scale, now: ANCHOR });
    const training = await labeledTransactions((sql, params) => db.query(sql, params), 'training');
    const heldOut = await labeledTransactions((sql, params) => db.query(sql, params), 'held-out');
    const file = trainFraudModel(training, heldOut, { seed, scale });
    const { model, rules } = file.heldOut;
    console.log(`${file.name} ${file.version}: trained on ${training.length} transactions (${file.training.frauds} fraud) in ${Math.round(performance.now() - started)} ms`);
    console.log(`held out (${file.heldOut.transactions} transactions, ${file.heldOut.frauds} fraud), at score >= ${file.threshold}:`);
    console.log(`  model: precision ${percent(model.precision)}, recall ${percent(model.recall)}, F1 ${percent(model.f1)}`);
    console.log(`  rules: precision ${percent(rules.precision)}, recall ${percent(rules.recall)}, F1 ${percent(rules.f1)}`);
    const outcome = loadDescriptor(finance.dir);
    if (!outcome.ok) throw new Error(`dataproduct.yaml is invalid: ${outcome.errors.join('; ')}`);
    const failures = modelRuleFailures(outcome.descriptor, file.name, file.heldOut.model);
    if (failures.length) {
      console.error(`The new model falls below the product's quality rules, nothing written:\n${failures.map((line) => `  - ${line}`).join('\n')}`);
      return 1;
    }
    if (values.check) return 0;
    writeFileSync(MODEL_FILE, `${JSON.stringify(file)}\n`);
    const descriptorFile = join(finance.dir, 'dataproduct.yaml');
    writeFileSync(descriptorFile, withModelCard(readFileSync(descriptorFile, 'utf8'), file));
    console.log(`wrote ${MODEL_FILE} and the model card in ${descriptorFile}`);
    return 0;
  } finally {
    await db.close();
  }
}

if (require.main === module) main().then((code) => (process.exitCode = code));
