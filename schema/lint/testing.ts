/** Lints small inline subgraphs in the rules' tests: a schema, a descriptor and tables, no files. */
import { parse } from 'graphql';
import { stringify } from 'yaml';
import { parseDescriptorYaml, type DataProductDescriptorInput } from '../../subgraphs/lib/descriptor';
import { lintSubgraph, type LintInput, type LintRule } from '.';

/** A valid descriptor for the domain `shop`, to override key by key. */
export function validDescriptor(overrides: Partial<Record<keyof DataProductDescriptorInput, unknown>> & Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'meshgate/v1',
    kind: 'DataProduct',
    id: 'shop',
    name: 'Shop',
    domain: 'shop',
    version: '1.0.0',
    status: 'active',
    owner: { team: 'Shop Team', contact: 'shop-team@example.com' },
    description: { purpose: 'Items we sell.', limitations: 'None known.', usage: 'Join Item by id.' },
    sla: { availability: '99.9%', latencyP95Ms: 100, freshness: 'PT24H', retention: 'P1Y' },
    pii: {},
    quality: {
      schedule: 'PT1H',
      rules: [
        { name: 'item-name-present', type: 'notNull', table: 'item', column: 'name' },
        { name: 'items-fresh', type: 'freshness', table: 'item', column: 'updated_at', severity: 'warning' },
      ],
    },
    termsOfUse: { summary: 'Internal use.' },
    tags: ['shop'],
    ...overrides,
  };
}

export const SHOP_TABLES = `CREATE TABLE shop.item (
  id integer PRIMARY KEY,
  name text NOT NULL,
  price numeric(12, 2) NOT NULL,
  updated_at timestamptz NOT NULL
);`;

export const SHOP_SCHEMA = `
extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
"Something we sell."
type Item @key(fields: "id") {
  "Stable identifier."
  id: ID!
  "Display name."
  name: String!
}
type Query {
  "One item by id."
  item(id: ID!): Item
}
`;

/** Lints `schema` (SDL) as the subgraph `shop` with only `rule`; the descriptor is an object (made YAML) or YAML text, or null for none. */
export function lintWith(
  rule: LintRule,
  options: { schema?: string; descriptor?: Record<string, unknown> | string | null; tables?: string | null } & Partial<Pick<LintInput, 'piiCoverage' | 'otherDomains' | 'supergraph' | 'protectedField'>> = {},
) {
  const yamlText = options.descriptor === null ? null : typeof options.descriptor === 'string' ? options.descriptor : stringify(options.descriptor ?? validDescriptor());
  const descriptor =
    yamlText === null
      ? { ok: false as const, errors: ['(file): dataproduct.yaml not found in /shop'], problems: [{ message: '(file): dataproduct.yaml not found in /shop', path: [] }], file: '/shop/dataproduct.yaml' }
      : parseDescriptorYaml(yamlText, '/shop/dataproduct.yaml');
  return lintSubgraph({
    domain: 'shop',
    dir: '/shop',
    typeDefs: parse(options.schema ?? SHOP_SCHEMA),
    descriptor,
    tablesSql: options.tables === undefined ? SHOP_TABLES : options.tables,
    otherDomains: options.otherDomains ?? ['customers', 'sales'],
    piiCoverage: options.piiCoverage,
    protectedField: options.protectedField,
    supergraph: options.supergraph,
    rules: [rule],
    descriptorText: yamlText ?? undefined,
  });
}
