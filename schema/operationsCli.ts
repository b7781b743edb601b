/**
 * `npm run operations -- check|publish`: the official operations' command.
 *
 *   check    each operation in operations/ validates against the composed supergraph (the local domains, or
 *            --supergraph FILE), has a known owner, and passes the operation limits of each role meant to run it
 *            (the gateway's limits: --config FILE or MESHGATE_CONFIG, else the defaults)
 *   publish  check, then write Apollo's persisted-query manifest (--out, default dist/persisted-query-manifest.json;
 *            --relay FILE also writes Relay's id-to-text map)
 *
 * Exit code 0 when every operation passes, 1 on problems (publish then writes nothing), 2 on bad usage.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PORTS, domains } from '../subgraphs';
import { DEFAULT_ROLE_LIMITS, readConfigFile } from '../gateway/src/config';
import { ConfigError } from '../gateway/src/configError';
import { parseLimitsConfig } from '../gateway/src/limits/config';
import { registerListSizes } from '../gateway/src/limits/listSizeDirectives';
import { checkOperations, formatOperationProblem } from '../gateway/src/operations/checkOperations';
import { persistedQueryManifest, relayPersistedQueries } from '../gateway/src/operations/manifest';
import { loadOfficialOperations, OFFICIAL_OPERATIONS_DIR, OfficialOperationsError } from '../gateway/src/operations/officialOperations';
import { apiSchemaOf } from './breakingChanges';
import { composeSupergraph } from './compose';

const USAGE = 'usage: npm run operations -- check|publish [--dir operations] [--supergraph FILE] [--config FILE] [--out FILE] [--relay FILE] [--json]';
const DEFAULT_OUT = join(__dirname, '..', 'dist', 'persisted-query-manifest.json');

function supergraphSdl(file: string | undefined): string {
  if (file) return readFileSync(file, 'utf8');
  const outcome = composeSupergraph(domains.map((domain) => ({ name: domain.name, url: `http://127.0.0.1:${DEFAULT_PORTS[domain.name]}/graphql`, typeDefs: domain.typeDefs })));
  if (!outcome.ok) throw new Error(`the domains do not compose (npm run check -- subgraphs/<domain> says why):\n  ${outcome.errors.join('\n  ')}`);
  return outcome.supergraphSdl;
}

/** The gateway's limits section, as it would start with this config file (its defaults without one). */
function limitsOf(file: string | undefined) {
  const raw = file ? (readConfigFile(file) as { limits?: unknown }) : {};
  return parseLimitsConfig(raw.limits ?? DEFAULT_ROLE_LIMITS, { source: file ?? 'defaults' });
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        dir: { type: 'string' },
        supergraph: { type: 'string' },
        config: { type: 'string' },
        out: { type: 'string' },
        relay: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) return void console.log(USAGE), 0;
  const [command, ...extra] = positionals;
  if ((command !== 'check' && command !== 'publish') || extra.length) {
    console.error(`expected check or publish, got ${positionals.join(' ') || 'nothing'}\n${USAGE}`);
    return 2;
  }
  const dir = values.dir ?? OFFICIAL_OPERATIONS_DIR;
  const shown = relative(process.cwd(), dir) || '.';
  let operations;
  try {
    operations = await loadOfficialOperations(dir);
  } catch (error) {
    if (!(error instanceof OfficialOperationsError)) throw error;
    console.error(error.problems.map((problem) => `✖ ${shown}/${problem}`).join('\n'));
    return 1;
  }
  const sdl = supergraphSdl(values.supergraph);
  const schema = apiSchemaOf(sdl);
  registerListSizes(schema, sdl);
  const problems = checkOperations(operations, { schema, limits: limitsOf(values.config ?? process.env.MESHGATE_CONFIG), domains: domains.map((domain) => domain.name) });
  if (values.json) console.log(JSON.stringify({ ok: problems.length === 0, operations: operations.map(({ id, name, owner, file, type, roles }) => ({ id, name, owner, file, type, roles })), problems }, null, 2));
  else {
    for (const operation of operations) {
      const own = problems.filter((problem) => problem.file === operation.file);
      console.log(`${own.length ? '✖' : '✔'} ${operation.name} (${operation.type}, owner ${operation.owner}, for ${operation.roles.join(', ')})  ${shown}/${operation.file}`);
      for (const problem of own) console.log(`    ${problem.code}: ${problem.message}`);
    }
    console.log(problems.length ? `\n${problems.length} problem(s):\n${problems.map((problem) => `  ${formatOperationProblem(problem, shown)}`).join('\n')}` : `\n${operations.length} official operations pass.`);
  }
  if (problems.length) return 1;
  if (command === 'publish') {
    const out = values.out ?? DEFAULT_OUT;
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, `${JSON.stringify(persistedQueryManifest(operations), null, 2)}\n`);
    console.log(`Wrote ${relative(process.cwd(), out)} (apollo-persisted-query-manifest, ${operations.length} operations)`);
    if (values.relay) {
      mkdirSync(dirname(values.relay), { recursive: true });
      writeFileSync(values.relay, `${JSON.stringify(relayPersistedQueries(operations), null, 2)}\n`);
      console.log(`Wrote ${relative(process.cwd(), values.relay)} (Relay persisted queries)`);
    }
  }
  return 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error) => {
    console.error(error instanceof ConfigError ? error.message : `npm run operations failed: ${(error as Error).message}`);
    process.exitCode = 1;
  },
);
