import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { print, parse } from 'graphql';
import { createHash } from 'node:crypto';
import { loadOfficialOperations, OFFICIAL_OPERATIONS_DIR, OfficialOperationsError } from './officialOperations';

const OWNER = 'owner: sales\ndescription: Orders for the fulfilment service.\nroles: [service]\n';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'official-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function problemsOf(files: Record<string, string>): Promise<string[]> {
  const dir = tree(files);
  try {
    await loadOfficialOperations(dir);
    throw new Error('expected the tree to be refused');
  } catch (error) {
    if (!(error instanceof OfficialOperationsError)) throw error;
    return error.problems;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('loadOfficialOperations', () => {
  it("reads each folder's owner and each file's description; the id is the sha256 of graphql-js's print", async () => {
    const text = '# The order and its status.\n# For the order page.\nquery Order($id: ID!)   { order(id: $id) { id status } }\n';
    const dir = tree({ 'sales/owner.yaml': OWNER, 'sales/Order.graphql': text });
    const [operation, ...rest] = await loadOfficialOperations(dir);
    rmSync(dir, { recursive: true, force: true });
    expect(rest).toEqual([]);
    const document = print(parse(text));
    expect(operation).toMatchObject({ name: 'Order', owner: 'sales', type: 'query', file: join('sales', 'Order.graphql'), description: 'The order and its status.\nFor the order page.', document, roles: ['service'] });
    expect(operation.id).toBe(createHash('sha256').update(document).digest('hex'));
  });

  it('refuses anonymous operations, several per file, a file named unlike its operation and no description, naming each file', async () => {
    const problems = await problemsOf({
      'sales/owner.yaml': OWNER,
      'sales/Anonymous.graphql': '# x\n{ orders { id } }',
      'sales/Two.graphql': '# x\nquery Two { orders { id } }\nquery Three { orders { id } }',
      'sales/Wrong.graphql': '# x\nquery Right { orders { id } }',
      'sales/Bare.graphql': 'query Bare { orders { id } }',
      'sales/Broken.graphql': '# x\nquery Broken {',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^sales\/Anonymous\.graphql: the operation is anonymous/),
      expect.stringMatching(/^sales\/Bare\.graphql: no description/),
      expect.stringMatching(/^sales\/Broken\.graphql: does not parse/),
      expect.stringMatching(/^sales\/Two\.graphql: expected exactly one operation, found 2 \(Two, Three\)/),
      expect.stringMatching(/^sales\/Wrong\.graphql: the operation is named Right; name the file Right\.graphql/),
    ]);
  });

  it('refuses a name used twice, naming both files', async () => {
    const problems = await problemsOf({
      'a/owner.yaml': OWNER,
      'a/Orders.graphql': '# x\nquery Orders { orders { id } }',
      'b/owner.yaml': OWNER,
      'b/Orders.graphql': '# y\nquery Orders { orders { id status } }',
    });
    expect(problems).toEqual([expect.stringMatching(/^b\/Orders\.graphql: an operation named Orders is already official in a\/Orders\.graphql/)]);
  });

  it('refuses a folder without owner.yaml or with a bad one, naming the key', async () => {
    const problems = await problemsOf({
      'a/Orders.graphql': '# x\nquery Orders { orders { id } }',
      'b/owner.yaml': 'owner: Sales Team\ndescription: x\nroles: []\nteam: y\n',
      'b/Other.graphql': '# x\nquery Other { orders { id } }',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^a\/owner\.yaml: missing/),
      expect.stringMatching(/^b\/owner\.yaml: owner: a domain name or "platform"/),
      expect.stringMatching(/^b\/owner\.yaml: roles: /),
      'b/owner.yaml: unknown key team',
    ]);
  });

  it("names the directory it cannot read", async () => {
    await expect(loadOfficialOperations('/nonexistent/operations')).rejects.toThrow('/nonexistent/operations: cannot read the operations directory (ENOENT)');
  });

  it("loads the repository's official operations, the README's dashboards among them", async () => {
    const names = (await loadOfficialOperations(OFFICIAL_OPERATIONS_DIR)).map((operation) => operation.name);
    expect(names).toEqual(expect.arrayContaining(['Revenue', 'RevenueNextPage', 'LateDeliveries', 'CustomerTransactions', 'CustomerRisk', 'UpdateOrderStatus']));
  });
});
