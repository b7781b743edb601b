/**
 * Issue 17 §1: parsing is the largest piece of work a rejected request costs,
 * so the parser stops at the sender's own token limit, not at the most
 * generous role's. With services allowed 60,000 tokens, an anonymous body of
 * 50,000 tokens is refused after 10,000 (its own limit); a service's same body
 * is parsed in full, and a concurrent anonymous request never borrows the
 * service's limit.
 */
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ORDER_SERVICE } from '../principals';
import { firstError, repeat } from './hostileRequests';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh({ gateway: { limits: { byRole: { service: { maxTokens: 60_000, maxBodyBytes: 4_194_304 } } } } });
}, 120_000);
afterAll(() => mesh?.stop());

// About 50,000 tokens: `{ products ( first : 1 ) {` and `} }` around copies of one field.
const bodyOf = (copies: number) => `{ products(first: 1) { ${repeat(copies, () => 'totalCount')} } }`;

test('an anonymous body is parsed only up to the anonymous limit', async () => {
  const answer = await mesh.query(bodyOf(49_990));
  expect(answer.status).toBe(400);
  // Parsing stopped at the anonymous limit: the service's 60,000 were never reached.
  expect(firstError(answer)?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxTokens', max: 10_000, actual: 10_001 });
});

test('a service body is parsed up to the service limit, and concurrent anonymous requests never borrow it', async () => {
  const service = await tokenFor(ORDER_SERVICE);
  const body = bodyOf(49_991);
  const answers = await Promise.all([mesh.query(body), mesh.query(body, undefined, service), mesh.query(body), mesh.query(body, undefined, service)]);
  for (const answer of answers.filter((_, i) => i % 2 === 0)) {
    expect(answer.status).toBe(400);
    // 10,001 when parsed here; the whole count when Apollo Server's document cache had the service's parse.
    expect(firstError(answer)?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxTokens', max: 10_000 });
  }
  // Parsed in full (60,000 allowed), then refused by the next limit, not the token limit.
  for (const answer of answers.filter((_, i) => i % 2 === 1)) expect(firstError(answer)?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxExpandedFields' });
});
