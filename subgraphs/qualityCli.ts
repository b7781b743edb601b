/**
 * `npm run quality -- <domain | subgraphs/<domain>> [--json]`: runs a data product's quality rules on
 * demand against the domain's own database: DATABASE_URL_<DOMAIN> or
 * DATABASE_URL, else the embedded database of a running `npm start`
 * (127.0.0.1:54329, or MESHGATE_EMBEDDED_DB_PORT). Exit code 1 when an
 * error-severity rule fails, 2 on bad usage or an unreachable database.
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { PgDb } from './lib/db';
import { databaseUrlFor } from './lib/database';
import { loadDescriptor } from './lib/descriptor';
import { formatQualityReport, runQualityRules } from './lib/quality';
import { domainNamed } from '.';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
  let domain;
  try {
    // A domain name, or its folder (subgraphs/finance), as `npm run check` takes it.
    domain = domainNamed(basename(positionals[0] ?? ''));
  } catch (error) {
    console.error(`${(error as Error).message}\nusage: npm run quality -- <domain> [--json]`);
    return 2;
  }
  const outcome = loadDescriptor(domain.dir);
  if (!outcome.ok) {
    console.error(`${outcome.file} is invalid:\n${outcome.errors.map((error) => `  - ${error}`).join('\n')}`);
    return 2;
  }
  const url = databaseUrlFor(domain.name) ?? `postgres://postgres@127.0.0.1:${process.env.MESHGATE_EMBEDDED_DB_PORT ?? 54329}/postgres`;
  const db = new PgDb(url, 1);
  try {
    const report = await runQualityRules(db, outcome.descriptor, { models: domain.models });
    console.log(values.json ? JSON.stringify(report, null, 2) : formatQualityReport(report));
    return report.passed ? 0 : 1;
  } catch (error) {
    console.error(`Cannot reach the ${domain.name} database (${url.replace(/\/\/[^@]*@/, '//')}): ${(error as Error).message}. Start the mesh (npm start) or set DATABASE_URL.`);
    return 2;
  } finally {
    await db.close();
  }
}

main().then((code) => (process.exitCode = code));
