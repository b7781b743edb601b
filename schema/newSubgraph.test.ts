/**
 * `npm run new-subgraph`: the scaffolded domain composes, passes the governance
 * check, type-checks, and its own generated test passes (issue #5). It is
 * generated into a scratch copy of subgraphs/ (the real domains linked in), so
 * the real registry is never touched while other tests run.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { checkSubgraph } from './check';
import { namesFor, newSubgraph, registerDomain, render } from './newSubgraph';

const ROOT = join(__dirname, '..');
let root: string;

beforeAll(() => {
  mkdirSync(join(ROOT, '.data'), { recursive: true });
  // Inside the repository, so the generated files resolve node_modules as a real domain's do.
  root = mkdtempSync(join(ROOT, '.data', 'scaffold-test-'));
  mkdirSync(join(root, 'subgraphs'));
  for (const entry of readdirSync(join(ROOT, 'subgraphs'))) {
    if (entry === 'index.ts') copyFileSync(join(ROOT, 'subgraphs', entry), join(root, 'subgraphs', entry));
    else symlinkSync(join(ROOT, 'subgraphs', entry), join(root, 'subgraphs', entry));
  }
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const index = () => readFileSync(join(root, 'subgraphs', 'index.ts'), 'utf8');

describe('refuses bad names with a clear error and writes nothing', () => {
  test.each([
    ['Bad-Name', 'domain: expected 2 to 30 lower-case letters, digits or "_", starting with a letter (it names a folder, a TypeScript export and a database schema), got "Bad-Name"'],
    ['x', 'domain: expected 2 to 30 lower-case letters, digits or "_", starting with a letter (it names a folder, a TypeScript export and a database schema), got "x"'],
    ['order', 'domain: "order" is a reserved word in SQL or TypeScript, or a folder of subgraphs/; choose another name'],
    ['lib', 'domain: "lib" is a reserved word in SQL or TypeScript, or a folder of subgraphs/; choose another name'],
  ])('%s', (domain, error) => {
    const before = index();
    expect(newSubgraph({ domain, root })).toEqual({ ok: false, errors: [error] });
    expect(index()).toBe(before);
  });

  test('an existing domain', () => {
    const outcome = newSubgraph({ domain: 'sales', root });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.errors[0]).toMatch(/^domain: .*subgraphs\/sales already exists; choose another name or remove it first$/);
  });

  test('an entity whose type names another domain already uses', () => {
    const outcome = newSubgraph({ domain: 'orders', root });
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) expect(outcome.errors[0]).toBe('type Order already exists (defined by sales, marketing, finance, logistics); pass --entity <TypeName> to name the new entity differently');
    expect(existsSync(join(root, 'subgraphs', 'orders'))).toBe(false);
    expect(newSubgraph({ domain: 'orders2', entity: 'purchase', root })).toEqual({ ok: false, errors: ['--entity: expected a PascalCase GraphQL type name such as GiftCard, got "purchase"'] });
  });
});

test('derives the names the template needs from the domain', () => {
  expect(namesFor('gift_cards')).toMatchObject({ Domain: 'GiftCards', Entity: 'GiftCard', entity: 'giftCard', entities: 'giftCards', table: 'gift_card', domain_id: 'gift-cards' });
  expect(namesFor('inventory', 'StockItem')).toMatchObject({ Entity: 'StockItem', entity: 'stockItem', entities: 'stockItems', table: 'stock_item' });
  expect(namesFor('deliveries')).toMatchObject({ Entity: 'Delivery', entities: 'deliveries' });
  expect(render('__Entity__ __dirname __typename __unknown__', { ...namesFor('gift_cards'), port: '4007' })).toBe('GiftCard __dirname __typename __unknown__');
  expect(registerDomain('nothing to see', 'x', 1)).toBeNull();
});

test('scaffolds a domain that is registered, composes, passes its check, type-checks and passes its own test', () => {
  const outcome = newSubgraph({ domain: 'scaffoldcheck', root });
  if (!outcome.ok) throw new Error(outcome.errors.join('\n'));
  const dir = join(root, 'subgraphs', 'scaffoldcheck');
  expect(outcome).toMatchObject({ domain: 'scaffoldcheck', entity: 'Scaffoldcheck', dir, port: 4007 });
  expect(readdirSync(dir).sort()).toEqual(
    ['README.md', 'dataproduct.yaml', 'index.ts', 'loaders.ts', 'resolvers.ts', 'schema.graphql', 'scaffoldcheck.test.ts', 'seed.ts', 'store.ts', 'tables.sql'].sort(),
  );

  // Registered: imported, listed, given the next free port.
  expect(index()).toContain("import { scaffoldcheck } from './scaffoldcheck';");
  expect(index()).toMatch(/export const domains: SubgraphDefinition<any>\[\] = \[customers, products, sales, marketing, finance, logistics, scaffoldcheck\];/);
  expect(index()).toMatch(/ {2}logistics: 4006,\n {2}scaffoldcheck: 4007,\n\};/);
  expect(readFileSync(join(dir, 'schema.graphql'), 'utf8')).toContain('type Scaffoldcheck @key(fields: "id")');

  // Composes with every domain and passes the governance check as generated.
  const report = checkSubgraph(dir);
  expect(report.problems).toEqual([]);
  expect(report.ok).toBe(true);

  // Type-checks, together with the registry that now imports it.
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const files = [...readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f)), join(root, 'subgraphs', 'index.ts')];
  const program = ts.createProgram(files, { ...config.options, noEmit: true });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(diagnostics).toEqual([]);

  // Its own generated test passes.
  const jestConfig = {
    rootDir: root,
    testEnvironment: 'node',
    transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }], '/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
    transformIgnorePatterns: ['/node_modules/(?!jose/)'],
    testMatch: ['<rootDir>/subgraphs/scaffoldcheck/*.test.ts'],
    testTimeout: 60000,
  };
  const run = spawnSync(
    process.execPath,
    ['--experimental-vm-modules', '--no-warnings=ExperimentalWarning', join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--config', JSON.stringify(jestConfig)],
    { cwd: ROOT, encoding: 'utf8' },
  );
  expect(run.stderr).toMatch(/Tests: +4 passed, 4 total/);
  expect(run.status).toBe(0);
}, 120_000);
