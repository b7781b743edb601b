/**
 * Loads the official operations: the `.graphql` files under `operations/`, the
 * documents dashboards and applications depend on, changed only by review.
 *
 *   operations/<folder>/owner.yaml        owner (a domain or "platform"), description, roles meant to run them
 *   operations/<folder>/<Name>.graphql    one named operation (plus the fragments it spreads), led by
 *                                         `#` comment lines that describe it
 *
 * Why a folder file and a leading comment (not a directive or a front matter):
 * the folder says who owns a group of operations once, like a CODEOWNERS
 * entry, and review of a folder is review by its owner; the comment keeps each
 * file a plain GraphQL document that every editor, linter and Apollo's or
 * Relay's tooling reads as is (graphql-js 16 has no operation descriptions).
 *
 * Guarantees: every operation it returns is named, alone in its file, named
 * like its file, unique by name and by id across the tree, described, and owned;
 * its `document` is graphql-js's print of the file (comments and formatting
 * dropped) and its `id` the sha256 hex of exactly that text, as Apollo's
 * persisted-query lists and Apollo Client's persisted-query link compute it.
 * Must never: return a partial list. Any bad file is an error naming it (all
 * problems at once), so a gateway never starts with a half-read set.
 * It does not validate against a schema or apply limits (see checkOperations.ts).
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { Kind, parse, print, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export type OfficialOperation = {
  /** sha256 hex of `document` (Apollo persisted-query-list style). */
  id: string;
  name: string;
  /** The document clients run: the file printed by graphql-js. */
  document: string;
  /** A domain (subgraphs/<domain>) or "platform". */
  owner: string;
  /** The operation's own description (its leading comment). */
  description: string;
  /** Path relative to the operations directory: "marketing/Revenue.graphql". */
  file: string;
  type: 'query' | 'mutation' | 'subscription';
  /** The roles meant to run it (from the folder's owner.yaml); the check applies their limits. */
  roles: string[];
  /** The owning folder's description. */
  folderDescription: string;
  contact?: string;
};

/** The repository's official operations (next to gateway/, subgraphs/ and schema/). */
export const OFFICIAL_OPERATIONS_DIR = join(repositoryRoot(), 'operations');

/** gateway/src/operations in the sources, dist/gateway/src/operations when built (cli/build.ts). */
function repositoryRoot(): string {
  const root = resolve(__dirname, '..', '..', '..');
  return basename(root) === 'dist' ? dirname(root) : root;
}

export const OWNER_FILE = 'owner.yaml';

const OwnerFile = z
  .object({
    /** A domain (a folder under subgraphs/) or "platform". */
    owner: z.string().regex(/^[a-z][a-z0-9-]*$/, 'a domain name or "platform" (lower case letters, digits, "-")'),
    /** What these operations are for and who depends on them. */
    description: z.string().trim().min(1),
    /** Roles meant to run these operations; the check applies each role's operation limits. */
    roles: z.array(z.string().min(1)).min(1),
    /** Where to ask about them. */
    contact: z.string().min(1).optional(),
  })
  .strict();

export class OfficialOperationsError extends Error {
  constructor(readonly problems: string[]) {
    super(`official operations: ${problems.length} problem${problems.length > 1 ? 's' : ''}\n  ${problems.join('\n  ')}`);
  }
}

export const operationIdOf = (document: string) => createHash('sha256').update(document).digest('hex');

/** The `#` lines before the first definition, without the marks: the operation's description. */
export function leadingComment(text: string): string {
  const lines: string[] = [];
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' && lines.length === 0) continue;
    if (!trimmed.startsWith('#')) break;
    lines.push(trimmed.replace(/^#\s?/, ''));
  }
  return lines.join('\n').trim();
}

type Folder = z.infer<typeof OwnerFile>;

async function readOwner(dir: string, folder: string, problems: string[]): Promise<Folder | undefined> {
  const file = join(folder, OWNER_FILE);
  let text: string;
  try {
    text = await readFile(join(dir, file), 'utf8');
  } catch {
    problems.push(`${file}: missing; every folder of operations names its owner, a description and the roles meant to run them`);
    return undefined;
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    problems.push(`${file}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
  const result = OwnerFile.safeParse(raw ?? {});
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const key = issue.path.join('.') || '(root)';
    problems.push(issue.code === 'unrecognized_keys' ? `${file}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}` : `${file}: ${key}: ${issue.message}`);
  }
  return undefined;
}

function operationOf(file: string, text: string, folder: Folder, problems: string[]): OfficialOperation | undefined {
  let document: DocumentNode;
  try {
    document = parse(text);
  } catch (error) {
    problems.push(`${file}: does not parse: ${(error as Error).message}`);
    return undefined;
  }
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const others = document.definitions.filter((definition) => definition.kind !== Kind.OPERATION_DEFINITION && definition.kind !== Kind.FRAGMENT_DEFINITION);
  if (others.length) return void problems.push(`${file}: only an operation and its fragments may be here, found a ${others[0].kind}`);
  if (operations.length !== 1) return void problems.push(`${file}: expected exactly one operation, found ${operations.length}${operations.length ? ` (${operations.map((op) => op.name?.value ?? 'anonymous').join(', ')})` : ''}; put each in its own file`);
  const [operation] = operations;
  const name = operation.name?.value;
  if (!name) return void problems.push(`${file}: the operation is anonymous; official operations are named (clients, the catalog and the audit log refer to them by name)`);
  const expected = basename(file, '.graphql');
  if (name !== expected) return void problems.push(`${file}: the operation is named ${name}; name the file ${name}.graphql (or the operation ${expected})`);
  const description = leadingComment(text);
  if (!description) return void problems.push(`${file}: no description; start the file with # comment lines that say what ${name} is for`);
  const printed = print(document);
  return {
    id: operationIdOf(printed),
    name,
    document: printed,
    owner: folder.owner,
    description,
    file,
    type: operation.operation as OfficialOperation['type'],
    roles: folder.roles,
    folderDescription: folder.description,
    ...(folder.contact && { contact: folder.contact }),
  };
}

/**
 * Every official operation under `dir` (one level of folders, each with owner.yaml), sorted by file.
 * Throws OfficialOperationsError listing every problem, each naming its file.
 */
export async function loadOfficialOperations(dir: string): Promise<OfficialOperation[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new OfficialOperationsError([`${dir}: cannot read the operations directory (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`]);
  }
  const problems: string[] = [];
  const found: OfficialOperation[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isFile() && entry.name.endsWith('.graphql')) problems.push(`${entry.name}: operations live in an owner's folder (operations/<owner>/${entry.name}), not at the top`);
    if (!entry.isDirectory()) continue;
    const files = (await readdir(join(dir, entry.name), { withFileTypes: true })).filter((file) => file.isFile() && file.name.endsWith('.graphql')).map((file) => file.name).sort();
    const folder = await readOwner(dir, entry.name, problems);
    for (const name of files) {
      const file = join(entry.name, name);
      const operation = folder && operationOf(file, await readFile(join(dir, file), 'utf8'), folder, problems);
      if (operation) found.push(operation);
    }
  }
  // Unique names make unique ids too: the name is part of the printed document.
  const byName = new Map<string, string>();
  for (const { name, file } of found) {
    if (byName.has(name)) problems.push(`${file}: an operation named ${name} is already official in ${byName.get(name)}; names are unique across operations/`);
    else byName.set(name, file);
  }
  if (problems.length) throw new OfficialOperationsError(problems);
  return found;
}

/** For messages: the file as the repository names it ("operations/marketing/Revenue.graphql"). */
export const repositoryPathOf = (dir: string, operation: Pick<OfficialOperation, 'file'>) => relative(process.cwd(), join(dir, operation.file));
