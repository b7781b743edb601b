/**
 * `npm run token -- [--sub alice] [--email alice@corp.example] [--role analyst]...
 *   [--scope pii:read]... [--domain sales]... [--ttl 1h] [--service]`
 *   prints an HS256 development token (stdout: the token only) signed with
 *   MESHGATE_JWT_SECRET or the development default, which the gateway accepts in
 *   development mode.
 * `npm run token -- --api-key [--id reporting] [--role ...] [--scope ...] [--domain ...]`
 *   prints a new random API key and the config entry (with its sha256 hash) to paste.
 *
 * Refuses to run when NODE_ENV or MESHGATE_MODE is "production".
 */
import { parseArgs } from 'node:util';
import { createApiKey } from '../identity/apiKeys';
import { DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER } from '../identity/config';
import { parseDuration, signDevelopmentToken } from '../identity/devTokens';

export type CliResult = { code: number; stdout: string; stderr: string };

const HELP = `Usage:
  npm run token -- [--sub ID] [--email EMAIL] [--role R]... [--scope S]... [--domain D]... [--ttl 1h] [--service]
  npm run token -- --api-key [--id ID] [--role R]... [--scope S]... [--domain D]...

Prints a development JWT (HS256, issuer "${DEVELOPMENT_ISSUER}", audience "${DEVELOPMENT_AUDIENCE}") signed with
MESHGATE_JWT_SECRET or the development default secret; or, with --api-key, a new API key and its config entry.
`;

export async function runTokenCli(argv: string[], env: NodeJS.ProcessEnv = process.env, now = Date.now()): Promise<CliResult> {
  if (env.NODE_ENV === 'production' || env.MESHGATE_MODE === 'production') {
    return { code: 1, stdout: '', stderr: 'npm run token makes development credentials and refuses to run in production (NODE_ENV or MESHGATE_MODE is "production").\n' };
  }
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        sub: { type: 'string', default: 'developer' },
        email: { type: 'string' },
        role: { type: 'string', multiple: true, default: [] },
        scope: { type: 'string', multiple: true, default: [] },
        domain: { type: 'string', multiple: true, default: [] },
        ttl: { type: 'string', default: '1h' },
        service: { type: 'boolean', default: false },
        'api-key': { type: 'boolean', default: false },
        id: { type: 'string', default: 'service' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    return { code: 2, stdout: '', stderr: `${(error as Error).message}\n\n${HELP}` };
  }
  if (values.help) return { code: 0, stdout: HELP, stderr: '' };

  if (values['api-key']) {
    const { key, hash } = createApiKey();
    const list = (items: string[]) => `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;
    const stdout = [
      `API key for "${values.id}" (shown once: give it to the client and store it as a secret):`,
      key,
      '',
      'Add to the gateway config under identity.apiKeys:',
      `  - id: ${JSON.stringify(values.id)}`,
      `    hash: ${hash}`,
      ...(values.role.length ? [`    roles: ${list(values.role)}`] : []),
      ...(values.scope.length ? [`    scopes: ${list(values.scope)}`] : []),
      ...(values.domain.length ? [`    domains: ${list(values.domain)}`] : []),
      '',
    ].join('\n');
    return { code: 0, stdout, stderr: '' };
  }

  let ttlSec: number;
  try {
    ttlSec = parseDuration(values.ttl);
  } catch (error) {
    return { code: 2, stdout: '', stderr: `--ttl: ${(error as Error).message}\n` };
  }
  const token = await signDevelopmentToken({
    sub: values.sub,
    email: values.email,
    roles: values.role,
    scopes: values.scope,
    domains: values.domain,
    ttlSec,
    service: values.service,
    secret: env.MESHGATE_JWT_SECRET || undefined,
    now,
  });
  const what = [
    values.role.length && `roles ${values.role.join(', ')}`,
    values.scope.length && `scopes ${values.scope.join(' ')}`,
    values.domain.length && `domains ${values.domain.join(', ')}`,
  ].filter(Boolean);
  const stderr =
    `Development token for ${values.service ? 'service' : 'user'} "${values.sub}"${what.length ? ` (${what.join('; ')})` : ''}, ` +
    `valid until ${new Date(now + ttlSec * 1000).toISOString()}, signed with ${env.MESHGATE_JWT_SECRET ? 'MESHGATE_JWT_SECRET' : 'the development default secret'}.\n` +
    'Send it as: Authorization: Bearer <token>\n';
  return { code: 0, stdout: `${token}\n`, stderr };
}

if (require.main === module) {
  runTokenCli(process.argv.slice(2)).then(
    ({ code, stdout, stderr }) => {
      process.stdout.write(stdout);
      process.stderr.write(stderr);
      process.exitCode = code;
    },
    (error) => {
      console.error(`npm run token failed: ${error instanceof Error ? error.message : error}`);
      process.exitCode = 1;
    },
  );
}
