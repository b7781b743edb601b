/**
 * Issue 17 §1, other shapes of the same class: floods of aliases, directives,
 * variables or operations in one document are refused by a limit before
 * validation, quickly, for anonymous requests, with /health answering while 8
 * run at once: under the token limit by the limit of their kind, over it by
 * the parser's token limit (which stops reading there).
 */
import { startMesh, type TestMesh } from '../harness';
import { firstError, repeat, underAttack } from './hostileRequests';

let mesh: TestMesh;
beforeAll(async () => {
  mesh = await startMesh();
}, 120_000);
afterAll(() => mesh?.stop());

const anonymousLimits = { maxAliases: 30, maxDirectives: 50, maxTokens: 10_000, maxExpandedFields: 2000 };

test.each([
  ['aliases within the token limit', `{ products(first: 1) { ${repeat(1500, (i) => `a${i}: totalCount`)} } }`, 'maxAliases', 1500],
  ['aliases over the token limit', `{ products(first: 1) { ${repeat(20_000, (i) => `a${i}: totalCount`)} } }`, 'maxTokens', 10_001],
  ['directives on one field', `{ products(first: 1) { totalCount ${repeat(1000, () => '@include(if: true)')} } }`, 'maxDirectives', 1000],
  ['directives over the token limit', `{ products(first: 1) { totalCount ${repeat(20_000, () => '@skip(if: false)')} } }`, 'maxTokens', 10_001],
  [
    'variables, each used once',
    `query (${repeat(600, (i) => `$v${i}: Boolean = false`)}) { products(first: 1) { ${repeat(600, (i) => `totalCount @skip(if: $v${i})`)} } }`,
    'maxDirectives',
    600,
  ],
  ['tiny operations', repeat(5000, (i) => `query Q${i} { __typename }`), 'maxTokens', 10_001],
] as const)('%s: 400', async (_shape, query, limit, actual) => {
  const { answers, ms, worstHealthMs } = await underAttack(mesh, query);
  for (const answer of answers) {
    expect(answer.status).toBe(400);
    expect(firstError(answer)?.extensions).toMatchObject({ code: 'OPERATION_LIMIT_EXCEEDED', limit, max: anonymousLimits[limit], actual });
  }
  expect(ms).toBeLessThan(3000);
  expect(worstHealthMs).toBeLessThan(2000);
});

test('a long string argument is parsed once and answered quickly', async () => {
  const { answers, ms } = await underAttack(mesh, `{ product(id: "${'x'.repeat(1_000_000)}") { name } }`);
  for (const answer of answers) expect(answer.status).toBe(200);
  expect(ms).toBeLessThan(5000);
});
