import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig } from './config';
import { ConfigError } from './configError';

const subgraphs = [{ name: 'sales', url: 'http://127.0.0.1:4003/graphql' }];
const keyPair = generateKeyPairSync('ed25519');
const privatePem = keyPair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const publicPem = keyPair.publicKey.export({ type: 'spki', format: 'pem' }).toString();

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
  expect(config.server).toEqual({ host: '127.0.0.1', port: 4000, bodyLimitBytes: 1_048_576, queryPage: true, workers: 1, cors: { allowedOrigins: [], allowCredentials: false, maxAgeSeconds: 600 }, compression: { enabled: true, thresholdBytes: 1024 } });
  expect(config.apollo.telemetry).toBe(false);
  expect(config.metrics).toEqual({ operationNames: { max: 100, officialOnly: false } });
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
  const productionSecret = { MESHGATE_SIGNING_KEY: privatePem };
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
  expect(problems.map((problem) => problem.split(':')[0]).sort()).toEqual(['authorization.enabled', 'identity.jwt.secret', 'subgraphRequests.signingKey']);
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

describe('the subgraph signing key (issue 13)', () => {
  test('an Ed25519 private key as PEM or JWK signs; development falls back to the published key, which production refuses', () => {
    expect(parseConfig({ subgraphs }).subgraphRequests).toMatchObject({ signingKey: expect.stringContaining('BEGIN PRIVATE KEY'), previousPublicKeys: [] });
    expect(parseConfig({ subgraphs, subgraphRequests: { signingKey: privatePem } }).subgraphRequests.signingKey).toBe(privatePem);
    const jwk = JSON.stringify(keyPair.privateKey.export({ format: 'jwk' }));
    expect(parseConfig({ subgraphs, subgraphRequests: { signingKey: jwk } }).subgraphRequests.signingKey).toBe(jwk);
    const production = problemsOf(() => parseConfig({ mode: 'production', subgraphs, identity: { jwt: { jwksUrl: 'https://idp.example/jwks', issuer: 'i', audience: 'a' } } }));
    expect(production).toEqual([expect.stringMatching(/^subgraphRequests\.signingKey: is the published development key; production needs its own \(MESHGATE_SIGNING_KEY or MESHGATE_SIGNING_KEY_FILE/)]);
  });

  test('anything but an Ed25519 private key is refused at start-up, naming the key and never quoting it', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const cases: [string, RegExp][] = [
      [publicPem, /got a public ed25519 key$/],
      [rsa, /got a private rsa key$/],
      ['not-a-key-at-all-0123456789', /got text that is neither PEM nor JSON \(27 characters\)$/],
      ['-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', /got a PEM "PRIVATE KEY" block that does not parse as such a key$/],
      ['{"kty":"oct","k":"c2VjcmV0"}', /got JSON that is not such a JWK$/],
    ];
    for (const [signingKey, expected] of cases) {
      const problems = problemsOf(() => parseConfig({ subgraphs, subgraphRequests: { signingKey } }));
      expect(problems).toEqual([expect.stringMatching(/^subgraphRequests\.signingKey: expected an Ed25519 private key as PKCS#8 PEM/)]);
      expect(problems[0]).toMatch(expected);
      // No line of the key material (PEM body lines, or the whole text) is quoted.
      for (const line of signingKey.split('\n').filter((line) => line && !line.startsWith('-----'))) expect(problems[0]).not.toContain(line);
    }
    expect(problemsOf(() => parseConfig({ subgraphs, subgraphRequests: { signingKey: privatePem, previousPublicKeys: [publicPem, privatePem] } }))).toEqual([
      expect.stringMatching(/^subgraphRequests\.previousPublicKeys\.1: expected an Ed25519 public key .*got a private key/),
    ]);
  });

  test('from the environment: the key, a key file, previous public keys; the retired shared secret is an error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshgate-config-'));
    const file = join(dir, 'gateway.pem');
    writeFileSync(file, privatePem);
    expect(loadConfig({ env: { MESHGATE_SIGNING_KEY: privatePem }, defaults: { subgraphs } }).subgraphRequests.signingKey).toBe(privatePem);
    expect(loadConfig({ env: { MESHGATE_SIGNING_KEY_FILE: file }, defaults: { subgraphs } }).subgraphRequests.signingKey).toBe(privatePem);
    expect(problemsOf(() => loadConfig({ env: { MESHGATE_SIGNING_KEY_FILE: join(dir, 'missing.pem') }, defaults: { subgraphs } }))).toEqual([
      `MESHGATE_SIGNING_KEY_FILE: cannot read the key file ${join(dir, 'missing.pem')}: ENOENT`,
    ]);
    const old = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const previous = loadConfig({ env: { MESHGATE_SIGNING_KEY: privatePem, MESHGATE_SIGNING_PREVIOUS_PUBLIC_KEYS: `${old}${publicPem}` }, defaults: { subgraphs } });
    expect(previous.subgraphRequests.previousPublicKeys).toEqual([old, publicPem]);
    expect(problemsOf(() => loadConfig({ env: { MESHGATE_SIGNING_SECRET: 'x'.repeat(40) }, defaults: { subgraphs } }))).toEqual([
      expect.stringMatching(/^MESHGATE_SIGNING_SECRET: no longer used; the gateway signs subgraph requests with an Ed25519 private key/),
    ]);
  });
});

test('shutdown: a readiness grace period in production only by default, a drain timeout, both validated naming key, expected and given', () => {
  expect(parseConfig({ subgraphs }).shutdown).toEqual({ readinessGraceMs: 0, drainTimeoutMs: 10_000 });
  expect(parseConfig({ subgraphs, mode: 'production', identity: { jwt: { jwksUrl: 'https://idp.example.com/jwks', issuer: 'https://idp.example.com/', audience: 'meshgate' } }, subgraphRequests: { signingKey: privatePem } }).shutdown).toEqual({ readinessGraceMs: 5000, drainTimeoutMs: 10_000 });
  expect(parseConfig({ subgraphs, shutdown: { readinessGraceMs: 2500, drainTimeoutMs: 0 } }).shutdown).toEqual({ readinessGraceMs: 2500, drainTimeoutMs: 0 });
  expect(problemsOf(() => parseConfig({ subgraphs, shutdown: { drainTimeoutMs: -1 } }))).toEqual(['shutdown.drainTimeoutMs: expected whole milliseconds from 0 to 300000, got -1']);
  expect(problemsOf(() => parseConfig({ subgraphs, shutdown: { readinessGraceMs: '5s' } }))).toEqual(['shutdown.readinessGraceMs: expected whole milliseconds from 0 to 120000, got "5s"']);
  expect(problemsOf(() => parseConfig({ subgraphs, shutdown: { drainTimeout: 5 } }))).toEqual(['shutdown.drainTimeout: unknown key']);
  const env = { MESHGATE_SHUTDOWN_READINESS_GRACE_MS: '1500', MESHGATE_SHUTDOWN_DRAIN_TIMEOUT_MS: '20000' };
  expect(loadConfig({ env, defaults: { subgraphs } }).shutdown).toEqual({ readinessGraceMs: 1500, drainTimeoutMs: 20_000 });
  expect(problemsOf(() => loadConfig({ env: { MESHGATE_SHUTDOWN_DRAIN_TIMEOUT_MS: 'soon' }, defaults: { subgraphs } }))).toEqual(['MESHGATE_SHUTDOWN_DRAIN_TIMEOUT_MS: expected a number, got "soon"']);
});
