/**
 * The keys behind signed subgraph requests (signing.ts). The gateway holds one
 * Ed25519 private key and signs with it; every subgraph holds only public keys:
 * the gateway's current one and, during a rotation, the previous one too.
 *
 *   key text: PKCS#8 / SPKI PEM (`openssl genpkey -algorithm ed25519`), or a JWK
 *             (`{"kty":"OKP","crv":"Ed25519","x":"…"[,"d":"…"]}`)
 *   key list: PEM blocks one after another, one JWK, an array of JWKs, or a JWKS (`{"keys":[…]}`)
 *   kid:      the RFC 7638 thumbprint of the public key, computed on both sides,
 *             so nothing has to be named alike in two places to match
 *
 * Rotation: (1) give every subgraph the new public key next to the old one,
 * (2) switch the gateway to the new private key (it signs with it at once;
 * `subgraphRequests.previousPublicKeys` keeps the old one trusted by the
 * gateway's own catalog subgraph), (3) drop the old public key everywhere.
 *
 * Contract: only Ed25519 keys are accepted, and a subgraph's key list refuses
 * private keys (a subgraph must not be able to sign); each key text is imported
 * once per process; a problem is described by what was expected and what kind
 * of thing was given, never by the key material.
 *
 * Written with node:crypto rather than jose: jose 6 imports keys as WebCrypto
 * CryptoKeys (asynchronously), while signing.ts signs and verifies with
 * node:crypto's synchronous Ed25519 on KeyObjects, which costs about half as
 * much per request (see signing.ts). The thumbprint is checked against jose's
 * calculateJwkThumbprint in the tests.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The gateway's private key (PEM or JWK text). */
export const SIGNING_KEY_ENV = 'MESHGATE_SIGNING_KEY';
/** A file holding the gateway's private key, instead of MESHGATE_SIGNING_KEY. */
export const SIGNING_KEY_FILE_ENV = 'MESHGATE_SIGNING_KEY_FILE';
/** Public keys the gateway signed with before its current key (a key list), trusted by its own catalog subgraph. */
export const PREVIOUS_PUBLIC_KEYS_ENV = 'MESHGATE_SIGNING_PREVIOUS_PUBLIC_KEYS';
/** A subgraph's trusted gateway public keys (a key list). */
export const GATEWAY_PUBLIC_KEYS_ENV = 'MESHGATE_GATEWAY_PUBLIC_KEYS';
/** A file holding the subgraph's trusted gateway public keys, instead of MESHGATE_GATEWAY_PUBLIC_KEYS. */
export const GATEWAY_PUBLIC_KEYS_FILE_ENV = 'MESHGATE_GATEWAY_PUBLIC_KEYS_FILE';
/** The shared HMAC secret of earlier versions: refused, so an old deployment fails loudly instead of running unsigned. */
export const RETIRED_SECRET_ENV = 'MESHGATE_SIGNING_SECRET';

/**
 * The published development key pair: used when no key is configured in
 * development, so `npm start` and a lone `npm run subgraph` work with nothing
 * to set up. Anyone can sign with it, so production refuses it on both sides.
 */
export const DEVELOPMENT_SIGNING_KEY = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEILGQzzsr1hNoCf8nkBY+4u38ZtzzmyZsYrkqQ5FLrQtb
-----END PRIVATE KEY-----
`;
export const DEVELOPMENT_GATEWAY_PUBLIC_KEY = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEATbXkg342N1OZku121VIFsYXnvOsA37DuJgNEIwswhSs=
-----END PUBLIC KEY-----
`;

export type SigningKey = { kid: string; privateKey: KeyObject; publicKey: KeyObject };
export type VerificationKey = { kid: string; publicKey: KeyObject };

export class KeyProblem extends Error {}

const EXPECTED_PRIVATE = 'an Ed25519 private key as PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----") or a JWK with kty "OKP", crv "Ed25519" and "d"';
const EXPECTED_PUBLIC = 'an Ed25519 public key as SPKI PEM ("-----BEGIN PUBLIC KEY-----") or a JWK with kty "OKP", crv "Ed25519" and "x"';

/** RFC 7638: SHA-256 over the required members of the public JWK, in lexicographic order. */
export function thumbprintOf(publicKey: KeyObject): string {
  const { x } = publicKey.export({ format: 'jwk' });
  return createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${x}"}`).digest('base64url');
}

/** What kind of thing `text` is, for an error message that must not quote it. */
function describe(key: KeyObject | undefined, text: string): string {
  if (key) return `${key.type === 'private' ? 'a private' : 'a public'} ${key.asymmetricKeyType ?? 'unknown'} key`;
  const pem = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text);
  if (pem) return `a PEM "${pem[1]}" block that does not parse as such a key`;
  if (text.trim().startsWith('{')) return 'JSON that is not such a JWK';
  return `text that is neither PEM nor JSON (${text.length} characters)`;
}

/** A key object from PEM or JWK text, private or public as the text says; undefined when it is neither. */
function parse(text: string): KeyObject | undefined {
  const trimmed = text.trim();
  try {
    if (trimmed.startsWith('{')) {
      const jwk = JSON.parse(trimmed);
      if (!jwk || typeof jwk !== 'object' || Array.isArray(jwk)) return undefined;
      return 'd' in jwk ? createPrivateKey({ key: jwk, format: 'jwk' }) : createPublicKey({ key: jwk, format: 'jwk' });
    }
    if (!trimmed.startsWith('-----BEGIN')) return undefined;
    return /PRIVATE KEY-----/.test(trimmed) ? createPrivateKey(trimmed) : createPublicKey(trimmed);
  } catch {
    return undefined;
  }
}

const signingKeys = new Map<string, SigningKey>();
const verificationKeys = new Map<string, VerificationKey>();

/** The gateway's key from its text (imported once per process). Throws a KeyProblem for anything but an Ed25519 private key. */
export function importSigningKey(text: string): SigningKey {
  const known = signingKeys.get(text);
  if (known) return known;
  const privateKey = parse(text);
  if (!privateKey || privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') {
    throw new KeyProblem(`expected ${EXPECTED_PRIVATE}; got ${describe(privateKey, text)}`);
  }
  const publicKey = createPublicKey(privateKey);
  const key = { kid: thumbprintOf(publicKey), privateKey, publicKey };
  signingKeys.set(text, key);
  return key;
}

/** A trusted gateway public key from its text (imported once per process). Private keys are refused: a subgraph must not be able to sign. */
export function importVerificationKey(text: string): VerificationKey {
  const known = verificationKeys.get(text);
  if (known) return known;
  const publicKey = parse(text);
  if (publicKey?.type === 'private') throw new KeyProblem(`expected ${EXPECTED_PUBLIC}; got a private key: give subgraphs only the gateway's public key`);
  if (!publicKey || publicKey.asymmetricKeyType !== 'ed25519') throw new KeyProblem(`expected ${EXPECTED_PUBLIC}; got ${describe(publicKey, text)}`);
  const key = { kid: thumbprintOf(publicKey), publicKey };
  verificationKeys.set(text, key);
  return key;
}

/** The SPKI PEM of a key's public half (what `npm start` hands to the subgraphs). */
export function publicKeyPemOf(key: SigningKey | VerificationKey): string {
  return key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

/** The texts of a key list: PEM blocks, one JWK, an array of JWKs or a JWKS. Throws a KeyProblem when it is none of those. */
export function splitKeyList(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new KeyProblem('expected PEM blocks, a JWK, an array of JWKs or a JWKS ({"keys": [...]}); got JSON that does not parse');
    }
    const list = Array.isArray(parsed) ? parsed : parsed && typeof parsed === 'object' && Array.isArray((parsed as { keys?: unknown }).keys) ? (parsed as { keys: unknown[] }).keys : [parsed];
    return list.map((jwk) => JSON.stringify(jwk));
  }
  const blocks = trimmed.match(/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?-----END [A-Z0-9 ]+-----/g);
  if (!blocks) throw new KeyProblem(`expected PEM blocks, a JWK, an array of JWKs or a JWKS; got ${describe(undefined, text)}`);
  return blocks.map((block) => `${block}\n`);
}

const DEVELOPMENT_KID = thumbprintOf(createPublicKey(DEVELOPMENT_GATEWAY_PUBLIC_KEY));

/** Whether a key is the published development key (which production refuses). */
export const isDevelopmentKey = (key: SigningKey | VerificationKey) => key.kid === DEVELOPMENT_KID;

/**
 * Why `text` cannot be the gateway's signing key in `mode`, or undefined when it
 * can (the config validates with it, naming the key; the text is never quoted).
 */
export function signingKeyProblem(text: string, mode: 'development' | 'production'): string | undefined {
  let key: SigningKey;
  try {
    key = importSigningKey(text);
  } catch (error) {
    return (error as Error).message;
  }
  if (mode === 'production' && isDevelopmentKey(key)) {
    return `is the published development key; production needs its own (${SIGNING_KEY_ENV} or ${SIGNING_KEY_FILE_ENV}; for example \`openssl genpkey -algorithm ed25519\`), and the subgraphs its public key`;
  }
  return undefined;
}

/** Why `text` cannot be a trusted gateway public key in `mode`, or undefined when it can. */
export function verificationKeyProblem(text: string, mode: 'development' | 'production'): string | undefined {
  let key: VerificationKey;
  try {
    key = importVerificationKey(text);
  } catch (error) {
    return (error as Error).message;
  }
  if (mode === 'production' && isDevelopmentKey(key)) return 'is the published development key, which anyone can sign with; production trusts only its gateway\'s own public key';
  return undefined;
}

/** Reads a key file named by an environment variable; the error names the variable and the path. */
export function readKeyFile(envName: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new KeyProblem(`${envName}: cannot read the key file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/**
 * A subgraph process's trusted gateway public keys, from
 * MESHGATE_GATEWAY_PUBLIC_KEYS or MESHGATE_GATEWAY_PUBLIC_KEYS_FILE. Development
 * falls back to the development key; production requires its own keys and
 * refuses the development one. Throws with the variable named.
 */
export function gatewayPublicKeysFrom(env: NodeJS.ProcessEnv, mode: 'development' | 'production'): string[] {
  if (env[RETIRED_SECRET_ENV]) {
    throw new KeyProblem(`${RETIRED_SECRET_ENV} is no longer used: subgraphs verify the gateway's Ed25519 signature with its public key (${GATEWAY_PUBLIC_KEYS_ENV} or ${GATEWAY_PUBLIC_KEYS_FILE_ENV}); unset it`);
  }
  const file = env[GATEWAY_PUBLIC_KEYS_FILE_ENV];
  const source = file ? GATEWAY_PUBLIC_KEYS_FILE_ENV : GATEWAY_PUBLIC_KEYS_ENV;
  const text = file ? readKeyFile(GATEWAY_PUBLIC_KEYS_FILE_ENV, file) : env[GATEWAY_PUBLIC_KEYS_ENV];
  if (!text?.trim()) {
    if (mode === 'production') {
      throw new KeyProblem(`${GATEWAY_PUBLIC_KEYS_ENV} (or ${GATEWAY_PUBLIC_KEYS_FILE_ENV}) is required in production: the gateway's Ed25519 public key, two during a rotation`);
    }
    return [DEVELOPMENT_GATEWAY_PUBLIC_KEY];
  }
  let texts: string[];
  try {
    texts = splitKeyList(text);
  } catch (error) {
    throw new KeyProblem(`${source}: ${(error as Error).message}`);
  }
  if (texts.length === 0) throw new KeyProblem(`${source}: no key in it`);
  texts.forEach((keyText, index) => {
    const problem = verificationKeyProblem(keyText, mode);
    if (problem) throw new KeyProblem(`${source} key ${index + 1}: ${problem}`);
  });
  return texts;
}

/**
 * Every public key a gateway's requests may carry: its signing key's, then the
 * previous ones still trusted during a rotation. Its own catalog subgraph trusts
 * these; `npm start` hands them to the subgraphs it runs.
 */
export function gatewayVerificationKeys(signingKey: string, previousPublicKeys: readonly string[] = []): string[] {
  return [publicKeyPemOf(importSigningKey(signingKey)), ...previousPublicKeys];
}
