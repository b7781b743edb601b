/**
 * Scaffolds a new domain from subgraphs/templates/domain/: a working subgraph
 * (schema with a keyed entity, tables, data access, dataloaders, resolvers,
 * seed, descriptor, README and test) registered in subgraphs/index.ts with the
 * next free port.
 *
 * Contract: nothing is written unless the new subgraph composes with every
 * registered domain; a bad or taken name is an error naming what was expected.
 * Errors are data (`{ ok: false, errors }`); only the command line exits.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isObjectType, parse } from 'graphql';
import type { SubgraphDefinition } from '../subgraphs/lib/subgraph';
import { apiSchemaOf } from './breakingChanges';
import { composeSupergraph } from './compose';

export const TEMPLATE_DIR = join(__dirname, '..', 'subgraphs', 'templates', 'domain');
export const REPO_ROOT = join(__dirname, '..');

/** Names that would break as a TypeScript export, a PostgreSQL schema or a folder of subgraphs/. */
const RESERVED = new Set([
  'lib', 'templates', 'index', 'cli', 'public', 'information_schema', 'pg_catalog',
  'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc', 'both', 'case', 'cast', 'check', 'collate', 'column', 'constraint', 'create',
  'current_date', 'current_role', 'current_time', 'current_user', 'default', 'deferrable', 'desc', 'distinct', 'do', 'else', 'end', 'except', 'false',
  'fetch', 'for', 'foreign', 'from', 'grant', 'group', 'having', 'in', 'initially', 'intersect', 'into', 'leading', 'limit', 'localtime', 'not', 'null',
  'offset', 'on', 'only', 'or', 'order', 'placing', 'primary', 'references', 'returning', 'select', 'session_user', 'some', 'symmetric', 'table', 'then',
  'to', 'trailing', 'true', 'union', 'unique', 'user', 'using', 'variadic', 'when', 'where', 'window', 'with',
  'break', 'catch', 'class', 'const', 'continue', 'debugger', 'delete', 'enum', 'export', 'extends', 'finally', 'function', 'if', 'implements', 'import',
  'instanceof', 'interface', 'let', 'new', 'package', 'private', 'protected', 'return', 'static', 'super', 'switch', 'this', 'throw', 'try', 'typeof',
  'var', 'void', 'while', 'yield', 'await', 'arguments', 'eval', 'undefined',
]);

const DOMAIN_NAME = /^[a-z][a-z0-9_]{1,29}$/;
const ENTITY_NAME = /^[A-Z][A-Za-z0-9]{1,40}$/;

const words = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[\s_-]+/).filter(Boolean).map((w) => w.toLowerCase());
const pascal = (parts: string[]) => parts.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
const camel = (parts: string[]) => parts[0] + pascal(parts.slice(1));
const capitalize = (text: string) => text[0].toUpperCase() + text.slice(1);

function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && /(ss|sh|ch|x)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

function plural(word: string): string {
  if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|sh|ch|x|z)$/.test(word)) return `${word}es`;
  return `${word}s`;
}

/** Every name the template needs, derived from the domain (and the entity type, when given). */
export function namesFor(domain: string, entity?: string) {
  const domainWords = words(domain);
  const entityWords = entity ? words(entity) : [...domainWords.slice(0, -1), singular(domainWords[domainWords.length - 1])];
  const entitiesWords = [...entityWords.slice(0, -1), plural(entityWords[entityWords.length - 1])];
  const table = entityWords.join('_');
  return {
    domain,
    Domain: pascal(domainWords),
    'Domain words': domainWords.map(capitalize).join(' '),
    domain_id: domainWords.join('-'),
    Entity: entity ?? pascal(entityWords),
    entity: camel(entityWords),
    entities: camel(entitiesWords) === camel(entityWords) ? `${camel(entityWords)}List` : camel(entitiesWords),
    'entity words': entityWords.join(' '),
    'entities words': entitiesWords.join(' '),
    'Entities words': capitalize(entitiesWords.join(' ')),
    table,
    table_id: entityWords.join('-'),
  };
}

export type Names = ReturnType<typeof namesFor> & { port: string };

/** Fills `__name__` placeholders; anything else that looks like one (`__dirname`, `__typename`) is left alone. */
export function render(template: string, names: Names): string {
  return template.replace(/__([A-Za-z_ ]+?)__/g, (match, key: string) => (key in names ? names[key as keyof Names] : match));
}

/** The next free port after the ones subgraphs/index.ts lists in DEFAULT_PORTS. */
function nextPort(indexSource: string): number {
  const block = indexSource.match(/DEFAULT_PORTS[^{]*\{([^}]*)\}/);
  const ports = [...(block?.[1] ?? '').matchAll(/:\s*(\d+)/g)].map((m) => Number(m[1]));
  return ports.length ? Math.max(...ports) + 1 : 4001;
}

/** subgraphs/index.ts with the new domain imported, listed in `domains` and given a port; null when its shape is unexpected. */
export function registerDomain(indexSource: string, domain: string, port: number): string | null {
  const imports = [...indexSource.matchAll(/^import \{ \w+ \} from '\.\/\w+';$/gm)];
  const list = indexSource.match(/(export const domains[^=]*=\s*\[)([^\]]*)(\];)/);
  const ports = indexSource.match(/(export const DEFAULT_PORTS[^{]*\{)([^}]*)(\};)/);
  if (!imports.length || !list || !ports) return null;
  const last = imports[imports.length - 1];
  let source = `${indexSource.slice(0, last.index! + last[0].length)}\nimport { ${domain} } from './${domain}';${indexSource.slice(last.index! + last[0].length)}`;
  source = source.replace(/(export const domains[^=]*=\s*\[)([^\]]*)(\];)/, (_, open, items: string, close) => `${open}${items.trim().replace(/,$/, '')}, ${domain}${close}`);
  source = source.replace(/(export const DEFAULT_PORTS[^{]*\{)([^}]*)(\};)/, (_, open, entries: string, close) => `${open}${entries.replace(/\s*$/, '')}\n  ${domain}: ${port},\n${close}`);
  return source;
}

export type NewSubgraphOptions = {
  domain: string;
  /** The entity type's name; derived from the domain by default (gift_cards → GiftCard). */
  entity?: string;
  /** The repository to write into (its subgraphs/ folder and subgraphs/index.ts); this one by default. */
  root?: string;
  /** The domains to compose with; the registry in subgraphs/index.ts by default. */
  domains?: SubgraphDefinition<any>[];
};

export type NewSubgraphOutcome =
  | { ok: true; domain: string; entity: string; dir: string; port: number; files: string[] }
  | { ok: false; errors: string[] };

export function newSubgraph(options: NewSubgraphOptions): NewSubgraphOutcome {
  const root = options.root ?? REPO_ROOT;
  const { domain } = options;
  const fail = (...errors: string[]): NewSubgraphOutcome => ({ ok: false, errors });
  if (!DOMAIN_NAME.test(domain)) {
    return fail(`domain: expected 2 to 30 lower-case letters, digits or "_", starting with a letter (it names a folder, a TypeScript export and a database schema), got "${domain}"`);
  }
  if (RESERVED.has(domain)) return fail(`domain: "${domain}" is a reserved word in SQL or TypeScript, or a folder of subgraphs/; choose another name`);
  if (options.entity !== undefined && !ENTITY_NAME.test(options.entity)) return fail(`--entity: expected a PascalCase GraphQL type name such as GiftCard, got "${options.entity}"`);
  const dir = join(root, 'subgraphs', domain);
  const indexFile = join(root, 'subgraphs', 'index.ts');
  if (existsSync(dir)) return fail(`domain: ${relative(process.cwd(), dir)} already exists; choose another name or remove it first`);
  const domains = options.domains ?? (require('../subgraphs') as typeof import('../subgraphs')).domains;
  if (domains.some((d) => d.name === domain)) return fail(`domain: "${domain}" is already registered in subgraphs/index.ts`);
  const indexSource = readFileSync(indexFile, 'utf8');
  const port = nextPort(indexSource);
  const names: Names = { ...namesFor(domain, options.entity), port: String(port) };

  // Names the new subgraph defines must be free, or composition would merge unrelated things.
  const composed = composeSupergraph(domains.map((d) => ({ name: d.name, url: `http://127.0.0.1/${d.name}`, typeDefs: d.typeDefs })));
  if (composed.ok) {
    const api = apiSchemaOf(composed.supergraphSdl);
    const owners = (typeName: string) => domains.filter((d) => d.typeDefs.definitions.some((def) => 'name' in def && def.name?.value === typeName)).map((d) => d.name);
    const taken = [names.Entity, `${names.Entity}Status`, `${names.Entity}Filter`, `${names.Entity}Connection`, `${names.Entity}Edge`].filter((name) => api.getType(name));
    if (taken.length) {
      return fail(...taken.map((name) => `type ${name} already exists (defined by ${owners(name).join(', ')}); pass --entity <TypeName> to name the new entity differently`));
    }
    const query = api.getQueryType();
    const fields = [names.entity, names.entities].filter((field) => isObjectType(query) && query.getFields()[field]);
    if (fields.length) return fail(...fields.map((field) => `Query.${field} already exists; pass --entity <TypeName> to name the new entity differently`));
  }

  const templates = readdirSync(TEMPLATE_DIR).filter((file) => file.endsWith('.tmpl'));
  const rendered = templates.map((file) => ({ file: file === 'domain.test.ts.tmpl' ? `${domain}.test.ts` : file.replace(/\.tmpl$/, ''), text: render(readFileSync(join(TEMPLATE_DIR, file), 'utf8'), names) }));
  const schema = rendered.find((r) => r.file === 'schema.graphql')!.text;
  const outcome = composeSupergraph([
    ...domains.map((d) => ({ name: d.name, url: `http://127.0.0.1/${d.name}`, typeDefs: d.typeDefs })),
    { name: domain, url: `http://127.0.0.1/${domain}`, typeDefs: parse(schema) },
  ]);
  if (!outcome.ok) return fail(...outcome.errors.map((error) => `the new subgraph would not compose: ${error}`));
  const registered = registerDomain(indexSource, domain, port);
  if (!registered) return fail(`${relative(process.cwd(), indexFile)} does not have the expected shape (imports, domains, DEFAULT_PORTS); register the domain by hand`);

  mkdirSync(dir, { recursive: true });
  try {
    for (const { file, text } of rendered) writeFileSync(join(dir, file), text);
    writeFileSync(indexFile, registered);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    writeFileSync(indexFile, indexSource);
    return fail(`could not write the new subgraph: ${(error as Error).message}`);
  }
  return { ok: true, domain, entity: names.Entity, dir, port, files: rendered.map((r) => join(dir, r.file)) };
}
