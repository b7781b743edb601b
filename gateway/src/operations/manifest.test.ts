import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadOfficialOperations, OFFICIAL_OPERATIONS_DIR } from './officialOperations';
import { persistedQueryManifest, relayPersistedQueries } from './manifest';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');
const cli = (...args: string[]) => run(process.execPath, ['--import', 'tsx', join(ROOT, 'schema', 'operationsCli.ts'), ...args], { cwd: ROOT }).then(
  ({ stdout }) => ({ code: 0, stdout }),
  (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: `${error.stdout}${error.stderr}` }),
);

describe("Apollo's persisted-query manifest", () => {
  it('has the format, the version and, per operation, id (sha256 of body), name, type and body, nothing else', async () => {
    const operations = await loadOfficialOperations(OFFICIAL_OPERATIONS_DIR);
    const manifest = persistedQueryManifest(operations);
    expect(Object.keys(manifest)).toEqual(['format', 'version', 'operations']);
    expect(manifest.format).toBe('apollo-persisted-query-manifest');
    expect(manifest.version).toBe(1);
    expect(manifest.operations.length).toBe(operations.length);
    for (const entry of manifest.operations) {
      expect(Object.keys(entry)).toEqual(['id', 'name', 'type', 'body']);
      expect(entry.id).toBe(createHash('sha256').update(entry.body).digest('hex'));
    }
    expect(manifest.operations.find((entry) => entry.name === 'UpdateOrderStatus')?.type).toBe('mutation');
    expect(relayPersistedQueries(operations)).toEqual(Object.fromEntries(manifest.operations.map((entry) => [entry.id, entry.body])));
  });

  it('npm run operations -- publish checks, then writes the manifest (and the Relay map)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'manifest-'));
    const { code, stdout } = await cli('publish', '--out', join(dir, 'pq.json'), '--relay', join(dir, 'relay.json'));
    expect(stdout).toMatch(/official operations pass/);
    expect(code).toBe(0);
    const written = JSON.parse(readFileSync(join(dir, 'pq.json'), 'utf8'));
    expect(written).toEqual(persistedQueryManifest(await loadOfficialOperations(OFFICIAL_OPERATIONS_DIR)));
    const relay = JSON.parse(readFileSync(join(dir, 'relay.json'), 'utf8'));
    expect(Object.keys(relay).sort()).toEqual(written.operations.map((entry: { id: string }) => entry.id).sort());
  }, 60_000);

  it('a failing check names the operation and its owner, exits 1 and publishes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'operations-'));
    mkdirSync(join(dir, 'growth'));
    writeFileSync(join(dir, 'growth', 'owner.yaml'), 'owner: marketing\ndescription: Growth dashboards.\nroles: [analyst]\n');
    writeFileSync(join(dir, 'growth', 'Budgets.graphql'), '# Campaign budgets.\nquery Budgets { campaigns { budgetInCents } }\n');
    const out = join(dir, 'pq.json');
    const { code, stdout } = await cli('publish', '--dir', dir, '--out', out);
    expect(code).toBe(1);
    expect(stdout).toMatch(/Budgets \(owner marketing\): Cannot query field "budgetInCents"/);
    expect(() => readFileSync(out)).toThrow();
  }, 60_000);
});
