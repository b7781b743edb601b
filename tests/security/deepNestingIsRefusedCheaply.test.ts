/**
 * Issue 17 §1: deep nesting (of selections with fields repeated at every
 * level, or of list values in an argument) is refused with a 400 quickly,
 * never a 500 or a stalled event loop: by the depth limit when it parses, by
 * the parser (its recursion, bounded by the token limit) when it does not.
 */
import { startMesh, tokenFor, type TestMesh } from '../harness';
import { ANALYST } from '../principals';
import { firstError, underAttack } from './hostileRequests';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh();
}, 120_000);
afterAll(() => mesh?.stop());

function nested(levels: number): string {
  let query = 'id';
  for (let i = 0; i < levels; i++) query = `id id orders(first: 1) { totalCount totalCount edges { node { id id customer { ${query} } } } }`;
  return `{ customer(id: "1") { ${query} } }`;
}

test('repeated fields nested 100 levels deep: 400 maxDepth', async () => {
  const { answers, ms, worstHealthMs } = await underAttack(mesh, nested(100));
  for (const answer of answers) {
    expect(answer.status).toBe(400);
    expect(firstError(answer)?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit: 'maxDepth', max: 12, actual: 402 });
  }
  expect(ms).toBeLessThan(3000);
  expect(worstHealthMs).toBeLessThan(2000);
});

test.each([
  ['selections nested 4,000 deep', `{ ${'customer(id: "1") { '.repeat(1)}${'orders { edges { node { customer { '.repeat(1000)}id${' } } } }'.repeat(1000)} } }`],
  ['a list value nested 5,000 deep', `{ transactions(filter: { types: ${'['.repeat(5000)}DEPOSIT${']'.repeat(5000)} }) { totalCount } }`],
])('%s: a 400, quickly', async (_shape, query) => {
  const { answers, ms, worstHealthMs } = await underAttack(mesh, query, { headers: await tokenFor(ANALYST) });
  for (const answer of answers) {
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.length).toBeGreaterThan(0);
  }
  expect(ms).toBeLessThan(3000);
  expect(worstHealthMs).toBeLessThan(2000);
});
