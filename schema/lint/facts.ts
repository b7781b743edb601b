/**
 * Facts the governance lint rules read from a subgraph's files: which fields
 * are marked as personal data, which tables and columns tables.sql creates,
 * and where a schema element sits in schema.graphql (for messages).
 */
import { getLocation, Kind, type ASTNode, type ConstDirectiveNode, type DocumentNode, type FieldDefinitionNode } from 'graphql';

export const PII_SPEC_URL_PREFIX = 'https://meshgate.dev/pii/';

/** The name the subgraph uses for the PII directive: `pii` unless its @link import renames it. */
export function piiDirectiveName(typeDefs: DocumentNode): string {
  for (const definition of typeDefs.definitions) {
    if (definition.kind !== Kind.SCHEMA_EXTENSION && definition.kind !== Kind.SCHEMA_DEFINITION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'link') continue;
      const url = directive.arguments?.find((arg) => arg.name.value === 'url')?.value;
      if (url?.kind !== Kind.STRING || !url.value.startsWith(PII_SPEC_URL_PREFIX)) continue;
      const imports = directive.arguments?.find((arg) => arg.name.value === 'import')?.value;
      if (imports?.kind !== Kind.LIST) continue;
      for (const item of imports.values) {
        if (item.kind === Kind.STRING && item.value === '@pii') return 'pii';
        if (item.kind === Kind.OBJECT) {
          const name = item.fields.find((f) => f.name.value === 'name')?.value;
          const as = item.fields.find((f) => f.name.value === 'as')?.value;
          if (name?.kind === Kind.STRING && name.value === '@pii' && as?.kind === Kind.STRING) return as.value.replace(/^@/, '');
        }
      }
    }
  }
  return 'pii';
}

export type PiiField = { typeName: string; fieldName: string; category: string; node: FieldDefinitionNode };

function directiveCategory(directive: ConstDirectiveNode): string {
  const argument = directive.arguments?.find((arg) => arg.name.value === 'category')?.value;
  return argument?.kind === Kind.STRING ? argument.value : 'contact';
}

/** Fields marked with the PII directive, keyed `Type.field`, with their category (`contact` by default, as the directive declares). */
export function piiFieldsOf(typeDefs: DocumentNode): Map<string, PiiField> {
  const name = piiDirectiveName(typeDefs);
  const fields = new Map<string, PiiField>();
  for (const definition of typeDefs.definitions) {
    if (!('fields' in definition) || !definition.fields || !('name' in definition) || !definition.name) continue;
    for (const field of definition.fields) {
      if (field.kind !== Kind.FIELD_DEFINITION) continue;
      const directive = field.directives?.find((d) => d.name.value === name);
      if (directive) {
        fields.set(`${definition.name.value}.${field.name.value}`, { typeName: definition.name.value, fieldName: field.name.value, category: directiveCategory(directive), node: field });
      }
    }
  }
  return fields;
}

/** Every `Type.field` of the object and interface types the subgraph defines or extends. */
export function fieldCoordinatesOf(typeDefs: DocumentNode): Set<string> {
  const coordinates = new Set<string>();
  for (const definition of typeDefs.definitions) {
    if (
      definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
      definition.kind === Kind.OBJECT_TYPE_EXTENSION ||
      definition.kind === Kind.INTERFACE_TYPE_DEFINITION ||
      definition.kind === Kind.INTERFACE_TYPE_EXTENSION
    ) {
      for (const field of definition.fields ?? []) coordinates.add(`${definition.name.value}.${field.name.value}`);
    }
  }
  return coordinates;
}

/** Tables and their columns from a domain's tables.sql, keyed by unqualified table name. */
export type TableColumns = Map<string, { schema: string | null; columns: Map<string, string> }>;

const CONSTRAINT_LINE = /^(primary\s+key|foreign\s+key|unique|check|constraint|exclude)\b/i;

/** Reads `CREATE TABLE schema.name (column type ..., ...)` statements; enough for our DDL files, not a SQL parser. */
export function parseTables(tablesSql: string): TableColumns {
  const tables: TableColumns = new Map();
  const sql = tablesSql.replace(/--[^\n]*/g, '');
  const pattern = /create\s+table\s+(?:if\s+not\s+exists\s+)?(?:([a-z_][a-z0-9_]*)\.)?([a-z_][a-z0-9_]*)\s*\(/gi;
  for (const match of sql.matchAll(pattern)) {
    // The column list runs to the parenthesis that closes the one after the table name.
    let depth = 1;
    let end = match.index! + match[0].length;
    const start = end;
    while (end < sql.length && depth > 0) {
      if (sql[end] === '(') depth++;
      else if (sql[end] === ')') depth--;
      end++;
    }
    const body = sql.slice(start, end - 1);
    const parts: string[] = [];
    let current = '';
    depth = 0;
    for (const char of body) {
      if (char === '(') depth++;
      if (char === ')') depth--;
      if (char === ',' && depth === 0) {
        parts.push(current);
        current = '';
      } else current += char;
    }
    parts.push(current);
    const columns = new Map<string, string>();
    for (const part of parts.map((p) => p.trim()).filter(Boolean)) {
      if (CONSTRAINT_LINE.test(part)) continue;
      const [name, ...rest] = part.split(/\s+/);
      columns.set(name.replace(/"/g, '').toLowerCase(), rest.join(' '));
    }
    tables.set(match[2].toLowerCase(), { schema: match[1]?.toLowerCase() ?? null, columns });
  }
  return tables;
}

/** `schema.graphql:12` for a node parsed with locations, or undefined. */
export function lineOf(node: ASTNode | undefined): number | undefined {
  if (!node?.loc) return undefined;
  return getLocation(node.loc.source, node.loc.start).line;
}

/** The 1-based line of the first line of `text` that matches `pattern`, or undefined. */
export function lineMatching(text: string | undefined, pattern: RegExp): number | undefined {
  if (!text) return undefined;
  const index = text.split('\n').findIndex((line) => pattern.test(line));
  return index === -1 ? undefined : index + 1;
}

export const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
