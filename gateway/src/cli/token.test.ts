import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { parse as parseYaml } from 'yaml';
import { developmentJwtConfig, IdentityConfigSchema } from '../identity/config';
import { parseDuration } from '../identity/devTokens';
import { createIdentifier } from '../identity/identify';
import { runTokenCli } from './token';

const NOW = Date.UTC(2026, 2, 1, 9, 0, 0);
const devIdentifier = (env: NodeJS.ProcessEnv = {}, now = NOW) => createIdentifier(IdentityConfigSchema.parse({ jwt: developmentJwtConfig(env) }), { now: () => now });

test('the token it prints is accepted by the development identity config, with every flag mapped', async () => {
  const result = await runTokenCli(
    ['--role', 'analyst', '--role', 'auditor', '--scope', 'pii:read', '--scope', 'orders:read', '--domain', 'sales', '--sub', 'alice', '--email', 'alice@corp.example', '--ttl', '1h'],
    {},
    NOW,
  );
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  expect(result.stderr).toContain('valid until 2026-03-01T10:00:00.000Z, signed with the development default secret');
  const token = result.stdout.trim();
  expect(await devIdentifier()({ authorization: `Bearer ${token}` })).toEqual({
    id: 'alice',
    kind: 'user',
    email: 'alice@corp.example',
    roles: ['analyst', 'auditor'],
    scopes: ['pii:read', 'orders:read'],
    domains: ['sales'],
    authenticatedBy: 'jwt',
  });
  const claims = decodeJwt(token);
  expect(claims.exp! - claims.iat!).toBe(3600);
});

test('the token expires after --ttl (plus the clock tolerance)', async () => {
  const token = (await runTokenCli(['--ttl', '15m'], {}, NOW)).stdout.trim();
  expect((await devIdentifier({}, NOW + 15 * 60_000 + 29_000)({ authorization: `Bearer ${token}` })).id).toBe('developer');
  await expect(devIdentifier({}, NOW + 15 * 60_000 + 31_000)({ authorization: `Bearer ${token}` })).rejects.toMatchObject({ reason: 'token_expired' });
});

test('MESHGATE_JWT_SECRET signs the token when set; the default secret then does not verify it', async () => {
  const env = { MESHGATE_JWT_SECRET: 'a-team-secret-of-at-least-32-characters!' };
  const result = await runTokenCli(['--sub', 'bob'], env, NOW);
  expect(result.stderr).toContain('signed with MESHGATE_JWT_SECRET');
  expect(result.stderr).not.toContain(env.MESHGATE_JWT_SECRET);
  const headers = { authorization: `Bearer ${result.stdout.trim()}` };
  expect((await devIdentifier(env)(headers)).id).toBe('bob');
  await expect(devIdentifier({})(headers)).rejects.toMatchObject({ reason: 'invalid_signature' });
});

test('--service makes a service token', async () => {
  const token = (await runTokenCli(['--service', '--sub', 'reporting', '--email', 'ignored@corp.example', '--scope', 'orders:read'], {}, NOW)).stdout.trim();
  expect(await devIdentifier()({ authorization: `Bearer ${token}` })).toMatchObject({ id: 'reporting', kind: 'service', scopes: ['orders:read'] });
});

test('--api-key prints a new key and a config entry that the gateway accepts', async () => {
  const result = await runTokenCli(['--api-key', '--id', 'reporting', '--role', 'analyst', '--scope', 'orders:read', '--domain', 'sales'], {}, NOW);
  expect(result.code).toBe(0);
  const lines = result.stdout.split('\n');
  const key = lines[1];
  expect(key).toMatch(/^mgk_[\w-]{43}$/);
  expect(result.stdout).toMatch(/^ {4}hash: sha256:[0-9a-f]{64}$/m);
  const entryYaml = result.stdout.slice(result.stdout.indexOf('  - id:'));
  const identify = createIdentifier(IdentityConfigSchema.parse({ apiKeys: parseYaml(entryYaml) }));
  expect(await identify({ 'x-api-key': key })).toEqual({
    id: 'reporting',
    kind: 'service',
    roles: ['analyst'],
    scopes: ['orders:read'],
    domains: ['sales'],
    authenticatedBy: 'api-key',
  });
  const again = await runTokenCli(['--api-key'], {}, NOW);
  expect(again.stdout.split('\n')[1]).not.toBe(key);
});

test('refuses to run in production', async () => {
  for (const env of [{ NODE_ENV: 'production' }, { MESHGATE_MODE: 'production' }]) {
    const result = await runTokenCli(['--sub', 'alice'], env, NOW);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(/refuses to run in production/);
  }
});

test('bad flags and durations are explained', async () => {
  const unknown = await runTokenCli(['--rol', 'analyst'], {}, NOW);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toMatch(/--rol/);
  expect(unknown.stderr).toMatch(/Usage:/);
  const badTtl = await runTokenCli(['--ttl', 'forever'], {}, NOW);
  expect(badTtl).toMatchObject({ code: 2, stderr: '--ttl: expected a duration such as 90s, 15m, 1h or 7d, got "forever"\n' });
  expect([parseDuration('90'), parseDuration('90s'), parseDuration('15m'), parseDuration('2h'), parseDuration('7d')]).toEqual([90, 90, 900, 7200, 604_800]);
  expect(() => parseDuration('0s')).toThrow(/got "0s"/);
});

describe('the real command', () => {
  const run = promisify(execFile);
  const script = join(__dirname, 'token.ts');
  const root = join(__dirname, '..', '..', '..');
  const env = { ...process.env, NODE_ENV: 'development', MESHGATE_MODE: '', MESHGATE_JWT_SECRET: '' };

  test('`node --import tsx gateway/src/cli/token.ts` prints only the token on stdout, and it verifies', async () => {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', script, '--sub', 'carol', '--role', 'analyst'], { cwd: root, env });
    expect(stderr).toMatch(/Development token for user "carol"/);
    const principal = await createIdentifier(IdentityConfigSchema.parse({ jwt: developmentJwtConfig({}) }))({ authorization: `Bearer ${stdout.trim()}` });
    expect(principal).toMatchObject({ id: 'carol', roles: ['analyst'] });
  });

  test('exits 1 under NODE_ENV=production', async () => {
    const error = await run(process.execPath, ['--import', 'tsx', script], { cwd: root, env: { ...env, NODE_ENV: 'production' } }).catch((e) => e);
    expect(error.code).toBe(1);
    expect(error.stdout).toBe('');
    expect(error.stderr).toMatch(/refuses to run in production/);
  });
});
