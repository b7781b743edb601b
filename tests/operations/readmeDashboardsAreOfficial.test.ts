/**
 * Issue 14: the README's example dashboards are official operations. Each
 * named ```graphql block of README.md is, printed, exactly the document of the
 * official operation of its name, so the README cannot drift from operations/
 * (and tests/readmeExamples.test.ts, which runs the blocks, runs them too).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, parse, print, type OperationDefinitionNode } from 'graphql';
import { loadOfficialOperations, OFFICIAL_OPERATIONS_DIR } from '../../gateway/src/operations/officialOperations';

const README = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
const blocks = [...README.matchAll(/^```graphql[ \t]+[^\n]*role=[^\n]*\n([\s\S]*?)^```/gm)].map((match) => parse(match[1]));

test('every README dashboard is an official operation with the same document', async () => {
  const official = new Map((await loadOfficialOperations(OFFICIAL_OPERATIONS_DIR)).map((operation) => [operation.name, operation]));
  expect(blocks.length).toBeGreaterThanOrEqual(5);
  for (const document of blocks) {
    const name = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)?.name?.value;
    expect(name && official.get(name)?.document).toBe(print(document));
  }
});
