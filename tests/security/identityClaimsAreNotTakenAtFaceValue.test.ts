/**
 * Identity claims are not taken at face value (issue 13): an unverified email
 * is not an identity, so a token that claims a company address without
 * `email_verified: true` does not meet the `internal` policy
 * (`Carrier.onTimeRate` is `@policy(internal)`: a service or a company
 * email); and a token whose `sub` equals its `azp`/`client_id` is not
 * a service unless it carries the configured service claim.
 */
import { SignJWT, type JWTPayload } from 'jose';
import { startMesh, type TestMesh } from '../harness';
import { DEVELOPMENT_AUDIENCE, DEVELOPMENT_ISSUER, DEVELOPMENT_SERVICE_CLAIM, developmentJwtConfig } from '../../gateway/src/identity/config';

let mesh: TestMesh;

beforeAll(async () => {
  mesh = await startMesh();
});
afterAll(() => mesh?.stop());

async function bearer(claims: JWTPayload): Promise<Record<string, string>> {
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ roles: ['analyst'], ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(DEVELOPMENT_ISSUER)
    .setAudience(DEVELOPMENT_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(developmentJwtConfig({}).secret!));
  return { authorization: `Bearer ${token}` };
}

const ON_TIME_RATE = '{ carriers { name onTimeRate(from: "2020-01-01T00:00:00Z", to: "2030-01-01T00:00:00Z") } }';

async function onTimeRateFor(claims: JWTPayload) {
  const { status, body } = await mesh.query(ON_TIME_RATE, undefined, await bearer(claims));
  expect(status).toBe(200);
  const denied = (body.errors ?? []).filter((error) => error.extensions?.code === 'FORBIDDEN' && error.path?.includes('onTimeRate'));
  return { rows: body.data.carriers as { onTimeRate: number | null }[], denied: denied.length > 0 };
}

test('a company email with email_verified false (or absent) does not meet the internal policy', async () => {
  for (const claims of [
    { sub: 'mallory', email: 'mallory@meshgate.example', email_verified: false },
    { sub: 'mallory', email: 'mallory@meshgate.example' },
    { sub: 'mallory', email: 'mallory@meshgate.example', email_verified: 'true' },
  ]) {
    const { rows, denied } = await onTimeRateFor(claims);
    expect(denied).toBe(true);
    expect(rows.every((row) => row.onTimeRate === null)).toBe(true);
  }
});

test('a verified company email meets it', async () => {
  const { rows, denied } = await onTimeRateFor({ sub: 'alice', email: 'alice@meshgate.example', email_verified: true });
  expect(denied).toBe(false);
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.some((row) => typeof row.onTimeRate === 'number')).toBe(true);
});

test('sub equal to azp or client_id does not make a service; the configured claim does', async () => {
  for (const claims of [
    { sub: 'etl', azp: 'etl' },
    { sub: 'etl', client_id: 'etl' },
    { sub: 'etl', gty: 'client-credentials' },
  ]) {
    expect((await onTimeRateFor(claims)).denied).toBe(true);
  }
  expect((await onTimeRateFor({ sub: 'etl', [DEVELOPMENT_SERVICE_CLAIM.name]: DEVELOPMENT_SERVICE_CLAIM.value })).denied).toBe(false);
});
