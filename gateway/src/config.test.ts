import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig } from './config';
import { ConfigError } from './configError';

const subgraphs = [{ name: 'sales', url: 'http://127.0.0.1:4003/graphql' }];

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

test('defaults give a development gateway on port 4000 with telemetry off', () => {
  const config = parseConfig({ subgraphs });
  expect(config.mode).toBe('development');
  expect(config.server).toEqual({ host: '127.0.0.1', port: 4000, bodyLimitBytes: 1_048_576, queryPage: true, workers: 1 });
  expect(config.apollo.telemetry).toBe(false);
  expect(config.supergraph.source).toBe('compose');
});

test('an unknown key is rejected with its full path', () => {
  expect(problemsOf(() => parseConfig({ subgraphs, server: { prot: 4000 } }))).toEqual(['server.prot: unknown key']);
  expect(problemsOf(() => parseConfig({ subgraphs, caching: {} }))).toEqual(['caching: unknown key']);
});

test('a wrong value names the key, what was expected and what was given', () => {
  const [problem] = problemsOf(() => parseConfig({ subgraphs, server: { port: 70000 } }));
  expect(problem).toMatch(/^server\.port: .*65535/);
  const [typeProblem] = problemsOf(() => parseConfig({ subgraphs, server: { port: 'eighty' } }));
  expect(typeProblem).toMatch(/^server\.port: .*number.*string/i);
  const [urlProblem] = problemsOf(() => parseConfig({ subgraphs: [{ name: 'sales', url: 'not a url' }] }));
  expect(urlProblem).toMatch(/^subgraphs\.0\.url: /);
});

test('cross-field rules name the key that is missing', () => {
  expect(problemsOf(() => parseConfig({ supergraph: { source: 'file' } }))).toEqual([
    'supergraph.file: required when supergraph.source is "file"',
  ]);
  expect(problemsOf(() => parseConfig({}))).toEqual(['subgraphs: at least one subgraph is required when supergraph.source is "compose"']);
  expect(problemsOf(() => parseConfig({ subgraphs: [...subgraphs, ...subgraphs] }))).toEqual(['subgraphs: subgraph "sales" is listed twice']);
});

test('environment variables override the file, and bad ones are named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshgate-config-'));
  const file = join(dir, 'meshgate.yaml');
  writeFileSync(file, 'server:\n  port: 5000\nsubgraphs:\n  - name: sales\n    url: http://127.0.0.1:4003/graphql\n');
  expect(loadConfig({ file, env: {} }).server.port).toBe(5000);
  expect(loadConfig({ file, env: { MESHGATE_PORT: '6000' } }).server.port).toBe(6000);
  expect(loadConfig({ file, env: { MESHGATE_WORKERS: '4' } }).server.workers).toBe(4);
  expect(problemsOf(() => loadConfig({ file, env: { MESHGATE_WORKERS: '0' } }))[0]).toMatch(/^server\.workers: /);
  expect(loadConfig({ file, env: {} }).execution.executor).toBe('meshgate');
  expect(loadConfig({ file, env: { MESHGATE_EXECUTOR: 'apollo' } }).execution.executor).toBe('apollo');
  expect(problemsOf(() => loadConfig({ file, env: { MESHGATE_EXECUTOR: 'fast' } }))[0]).toMatch(/^execution\.executor: /);
  expect(loadConfig({ file, env: {} }).subgraphRequests.concurrency).toBe('adaptive');
  expect(loadConfig({ file, env: { MESHGATE_SUBGRAPH_CONCURRENCY: '8' } }).subgraphRequests.concurrency).toBe(8);
  expect(loadConfig({ file, env: { MESHGATE_SUBGRAPH_CONCURRENCY: 'adaptive' } }).subgraphRequests.concurrency).toBe('adaptive');
  expect(problemsOf(() => loadConfig({ file, env: { MESHGATE_SUBGRAPH_CONCURRENCY: 'fast' } }))[0]).toMatch(/^subgraphRequests\.concurrency: /);
  expect(problemsOf(() => loadConfig({ file, env: { MESHGATE_SUBGRAPH_CONCURRENCY: '0' } }))[0]).toMatch(/^subgraphRequests\.concurrency: /);
  const productionSecret = { MESHGATE_SIGNING_SECRET: 'x'.repeat(40) };
  expect(loadConfig({ file, env: { NODE_ENV: 'production', ...productionSecret } }).mode).toBe('production');
  expect(problemsOf(() => loadConfig({ file, env: { MESHGATE_PORT: 'abc' } }))).toEqual(['MESHGATE_PORT: expected a number, got "abc"']);
  expect(loadConfig({ file, env: { MESHGATE_SUPERGRAPH_FILE: '/tmp/s.graphql' } }).supergraph).toEqual({ source: 'file', file: '/tmp/s.graphql' });
});

test('an unreadable or malformed file is named in the error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meshgate-config-'));
  expect(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {} })).toThrow(/missing\.yaml.*ENOENT/s);
  const broken = join(dir, 'broken.yaml');
  writeFileSync(broken, 'server: [unclosed');
  expect(() => loadConfig({ file: broken, env: {} })).toThrow(/broken\.yaml.*not valid YAML/s);
  const list = join(dir, 'list.yaml');
  writeFileSync(list, '- 1\n- 2\n');
  expect(() => loadConfig({ file: list, env: {} })).toThrow(/expected a mapping/);
});

test('production mode refuses development secrets and disabled authorization, naming the keys', () => {
  const problems = problemsOf(() =>
    parseConfig({ mode: 'production', subgraphs, authorization: { enabled: false }, identity: { jwt: { secret: 'meshgate-development-secret-do-not-use-in-production', issuer: 'i', audience: 'a' } } }),
  );
  expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual(['authorization.enabled', 'identity.jwt.secret', 'subgraphRequests.signingSecret']);
  expect(problems.join('\n')).not.toContain('meshgate-development-secret-do-not-use-in-production');
});

test('catalog and live updates (issue #5): defaults, the reserved catalog name, the poll interval from the environment', () => {
  expect(parseConfig({ subgraphs }).catalog).toEqual({ enabled: true, statusCacheMs: 10_000, statusTimeoutMs: 2000 });
  const catalogSubgraph = [{ name: 'catalog', url: 'http://127.0.0.1:4009/graphql' }];
  expect(problemsOf(() => parseConfig({ subgraphs: catalogSubgraph }))).toEqual([
    'subgraphs.0.name: "catalog" is the gateway\'s own catalog subgraph; give this subgraph another name (or set catalog.enabled: false)',
  ]);
  expect(parseConfig({ subgraphs: catalogSubgraph, catalog: { enabled: false } }).subgraphs).toEqual(catalogSubgraph);
  expect(loadConfig({ env: { MESHGATE_SUPERGRAPH_POLL_INTERVAL_MS: '5000' }, defaults: { subgraphs } }).supergraph.pollIntervalMs).toBe(5000);
  expect(problemsOf(() => parseConfig({ subgraphs, supergraph: { pollIntervalMs: 10 } }))[0]).toMatch(/^supergraph\.pollIntervalMs: .*100/);
});
