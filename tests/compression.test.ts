/**
 * Issue 18, HTTP conventions: large answers are compressed (br or gzip, as
 * the client asks), small ones are not, and a client that asks for none gets
 * plain JSON. Raw bytes are read with node:http, which does not decode.
 */
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ANALYST } from './principals';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh();
}, 120_000);
afterAll(() => mesh?.stop());

function raw(query: string, headers: Record<string, string>): Promise<{ encoding?: string; vary: string; bytes: Buffer }> {
  const body = JSON.stringify({ query });
  return new Promise((resolve, reject) => {
    const req = request(mesh.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ encoding: res.headers['content-encoding'], vary: String(res.headers.vary ?? ''), bytes: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const LARGE = '{ products(first: 100) { edges { node { id name category } } } }';
const SMALL = '{ products(first: 1) { totalCount } }';

test.each([
  ['br', brotliDecompressSync],
  ['gzip', gunzipSync],
] as const)('a large answer asked with %s comes compressed and decodes to the same JSON', async (encoding, decode) => {
  const auth = await tokenFor(ANALYST);
  const plain = await raw(LARGE, { ...auth, 'accept-encoding': 'identity' });
  expect(plain.encoding).toBeUndefined();
  const answer = JSON.parse(plain.bytes.toString('utf8'));
  expect(answer.data.products.edges.length).toBeGreaterThan(10);
  const compressed = await raw(LARGE, { ...auth, 'accept-encoding': `${encoding}` });
  expect(compressed.encoding).toBe(encoding);
  expect(compressed.vary.toLowerCase()).toContain('accept-encoding');
  expect(JSON.parse(decode(compressed.bytes).toString('utf8'))).toEqual(answer);
  expect(compressed.bytes.length).toBeLessThan(plain.bytes.length / 2);
});

test('a small answer is sent as it is', async () => {
  const small = await raw(SMALL, { ...(await tokenFor(ANALYST)), 'accept-encoding': 'br, gzip' });
  expect(small.encoding).toBeUndefined();
  expect(JSON.parse(small.bytes.toString('utf8')).data.products.totalCount).toBeGreaterThan(0);
});
