/**
 * Exports a data product's contract as an ODCS v3 data contract (Bitol's Open
 * Data Contract Standard), the format catalogs such as OpenMetadata and DataHub
 * import. The mapping, one descriptor key at a time:
 *
 * - id, name, version, status, domain, description, tags: as they are
 *   (dataProduct: the product's name; the terms of use go to description.customProperties);
 * - schema: one object per GraphQL object type the product serves (entities it
 *   owns, value types backed by a table, and the fields it adds to other
 *   products' entities), with properties for its fields: logicalType from the
 *   GraphQL type, required from non-null, description from the schema, and
 *   physicalName/physicalType/primaryKey from tables.sql where the type maps to a
 *   table by name (Order → orders, signedUpAt → signed_up_at). PII fields get
 *   classification `restricted` and the tags `pii` and `pii:<category>`;
 * - quality: notNull → nullValues, unique → duplicateValues, acceptedValues →
 *   invalidValues with validValues (all `mustBe: 0`), rowCount → rowCount with
 *   bounds, range/freshness/custom SQL → `type: sql` with the query the engine
 *   runs and its operator; property-level when the column is a property;
 *   severity, dimension, and `scheduler: meshgate` with the ISO-8601 schedule;
 * - slaProperties: availability (percent), latency (the freshness target, as
 *   ODCS calls data latency), retention, and responseTimeP95 (ms, an extension);
 * - team (v3.1 structure) and support from the owner.
 *
 * Pure: takes the product's files' contents, returns the contract object.
 */
import {
  getNamedType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  type DocumentNode,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parseIsoDuration, type DataProductDescriptor, type QualityRule } from '../subgraphs/lib/descriptor';
import { parseTables, type TableColumns } from './lint/facts';

export const ODCS_API_VERSION = 'v3.1.0';

type Json = Record<string, unknown>;

const snake = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** The table a GraphQL type is stored in, by name: Customer → customer or customers, OrderLine → order_lines. */
export function tableForType(typeName: string, tables: TableColumns): string | undefined {
  const base = snake(typeName);
  return [base, `${base}s`, `${base}es`].find((candidate) => tables.has(candidate));
}

/** The column a field is stored in, by name: signedUpAt → signed_up_at, customer → customer_id. */
function columnForField(fieldName: string, columns: Map<string, string> | undefined): string | undefined {
  if (!columns) return undefined;
  const base = snake(fieldName);
  return [base, `${base}_id`].find((candidate) => columns.has(candidate));
}

const physicalTypeOf = (definition: string) => definition.split(/\s+(?=not\b|null\b|primary\b|unique\b|references\b|check\b|default\b|generated\b)/i)[0].trim();

const SCALAR_LOGICAL_TYPES: Record<string, string> = { ID: 'string', String: 'string', Int: 'integer', Float: 'number', Boolean: 'boolean', DateTime: 'timestamp' };

function logicalTypeOf(type: GraphQLOutputType): string {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return 'array';
  const named = getNamedType(inner);
  if (isScalarType(named)) return SCALAR_LOGICAL_TYPES[named.name] ?? 'string';
  if (isEnumType(named)) return 'string';
  return 'object';
}

const isEntity = (type: GraphQLObjectType) => (type.astNode?.directives ?? []).some((d) => d.name.value === 'key') || (type.extensionASTNodes ?? []).some((n) => (n.directives ?? []).some((d) => d.name.value === 'key'));
const isPlumbing = (name: string) => /(Connection|Edge)$/.test(name) || name === 'PageInfo' || name.startsWith('_') || ['Query', 'Mutation', 'Subscription'].includes(name);

/** A field the product declares `@external`: another product's, which it only reads (for `@requires` or `@provides`). */
function isExternal(typeDefs: DocumentNode, typeName: string, fieldName: string): boolean {
  return typeDefs.definitions.some(
    (d) =>
      (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) &&
      d.name.value === typeName &&
      (d.fields ?? []).some((field) => field.name.value === fieldName && (field.directives ?? []).some((directive) => directive.name.value === 'external')),
  );
}

function isReferenceOnly(typeDefs: DocumentNode, typeName: string): boolean {
  return typeDefs.definitions.some(
    (d) =>
      (d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION) &&
      d.name.value === typeName &&
      (d.directives ?? []).some(
        (directive) => directive.name.value === 'key' && directive.arguments?.some((arg) => arg.name.value === 'resolvable' && arg.value.kind === Kind.BOOLEAN && !arg.value.value),
      ),
  );
}

const DIMENSIONS: Partial<Record<QualityRule['type'], string>> = {
  notNull: 'completeness',
  unique: 'uniqueness',
  acceptedValues: 'conformity',
  range: 'accuracy',
  rowCount: 'completeness',
  freshness: 'timeliness',
};

/** The SQL the engine's check amounts to, as ODCS `type: sql` wants it: returns a number compared with an operator. */
function sqlFor(rule: QualityRule, table: string): { query: string; operator: Json } {
  const column = 'column' in rule ? rule.column : '';
  switch (rule.type) {
    case 'notNull':
      return { query: `SELECT count(*) FROM ${table} WHERE ${column} IS NULL`, operator: { mustBe: 0 } };
    case 'unique':
      return { query: `SELECT count(${column}) - count(DISTINCT ${column}) FROM ${table}`, operator: { mustBe: 0 } };
    case 'acceptedValues':
      return { query: `SELECT count(*) FROM ${table} WHERE ${column} NOT IN (${rule.values.map((v) => (typeof v === 'string' ? `'${v.replace(/'/g, "''")}'` : String(v))).join(', ')})`, operator: { mustBe: 0 } };
    case 'range': {
      const conditions = [rule.min !== undefined ? `${column} < ${rule.min}` : null, rule.max !== undefined ? `${column} > ${rule.max}` : null].filter(Boolean);
      return { query: `SELECT count(*) FROM ${table} WHERE ${conditions.join(' OR ')}`, operator: { mustBe: 0 } };
    }
    case 'rowCount':
      return { query: `SELECT count(*) FROM ${table}`, operator: rowCountOperator(rule) };
    case 'freshness':
      return { query: `SELECT EXTRACT(EPOCH FROM (now() - max(${column}))) FROM ${table}`, operator: {} };
    case 'sql':
      return { query: rule.query.trim(), operator: {} };
    case 'model':
      // Measured by the product's model evaluator, not by SQL: exported as a custom check (see the rules left over).
      return { query: '', operator: {} };
  }
}

function rowCountOperator(rule: Extract<QualityRule, { type: 'rowCount' }>): Json {
  if (rule.min !== undefined && rule.max !== undefined) return { mustBeBetween: [rule.min, rule.max] };
  if (rule.min !== undefined) return { mustBeGreaterOrEqualTo: rule.min };
  return { mustBeLessOrEqualTo: rule.max };
}

function sqlOperator(rule: Extract<QualityRule, { type: 'sql' }>): Json {
  const { mustBe, mustNotBe, mustBeGreaterThan, mustBeGreaterOrEqualTo, mustBeLessThan, mustBeLessOrEqualTo, mustBeBetween } = rule;
  const operators = { mustBe, mustNotBe, mustBeGreaterThan, mustBeGreaterOrEqualTo, mustBeLessThan, mustBeLessOrEqualTo, mustBeBetween };
  const given = Object.fromEntries(Object.entries(operators).filter(([, value]) => value !== undefined));
  // A query that returns a boolean passes when true: as a number, that is 1.
  return Object.keys(given).length ? given : { mustBe: 1 };
}

/** One ODCS quality entry; `propertyLevel` when it sits on the column's property. */
function qualityEntry(rule: QualityRule, descriptor: DataProductDescriptor, physicalTable: string, propertyLevel: boolean): Json {
  const common: Json = {
    name: rule.name,
    ...(rule.description ? { description: rule.description } : {}),
    ...(DIMENSIONS[rule.type] ? { dimension: DIMENSIONS[rule.type] } : {}),
    severity: rule.severity,
    scheduler: 'meshgate',
    schedule: descriptor.quality.schedule,
  };
  if (propertyLevel && rule.type === 'notNull') return { ...common, metric: 'nullValues', mustBe: 0, unit: 'rows' };
  if (propertyLevel && rule.type === 'unique') return { ...common, metric: 'duplicateValues', mustBe: 0, unit: 'rows' };
  if (propertyLevel && rule.type === 'acceptedValues') return { ...common, metric: 'invalidValues', arguments: { validValues: rule.values }, mustBe: 0, unit: 'rows' };
  if (rule.type === 'rowCount') return { ...common, metric: 'rowCount', ...rowCountOperator(rule) };
  if (rule.type === 'freshness') {
    const seconds = parseIsoDuration(rule.maxAge ?? descriptor.sla.freshness)! / 1000;
    return { ...common, type: 'sql', query: sqlFor(rule, physicalTable).query, mustBeLessOrEqualTo: seconds, unit: 'seconds' };
  }
  if (rule.type === 'sql') return { ...common, type: 'sql', query: rule.query.trim(), ...sqlOperator(rule) };
  const { query, operator } = sqlFor(rule, physicalTable);
  return { ...common, type: 'sql', query, ...operator };
}

/** `99.9%` → 99.9; `PT24H` → { value: 24, unit: 'h' }; `P7Y` → { value: 7, unit: 'y' }. */
function durationValue(iso: string): { value: number; unit: string } {
  const parts = [...iso.matchAll(/(\d+(?:\.\d+)?)([YMWDHS])/g)];
  const inTime = (index: number) => iso.indexOf('T') !== -1 && index > iso.indexOf('T');
  if (parts.length === 1) {
    const [match, value, letter] = parts[0];
    const unit = inTime(iso.indexOf(match)) ? { H: 'h', M: 'min', S: 's' }[letter as 'H' | 'M' | 'S'] : { Y: 'y', M: 'mo', W: 'w', D: 'd' }[letter as 'Y' | 'M' | 'W' | 'D'];
    return { value: Number(value), unit: unit! };
  }
  return { value: parseIsoDuration(iso)! / 1000, unit: 's' };
}

export type OdcsInput = {
  descriptor: DataProductDescriptor;
  typeDefs: DocumentNode;
  /** The contents of tables.sql, or null. */
  tablesSql: string | null;
  /** The product that owns a type this one only extends, for descriptions; by default none is named. */
  ownerOfType?: (typeName: string) => string | undefined;
};

/** The ODCS v3 data contract of one data product. */
export function toOdcsContract({ descriptor, typeDefs, tablesSql, ownerOfType = () => undefined }: OdcsInput): Json {
  const schema: GraphQLSchema = buildSubgraphSchema([{ typeDefs }]);
  const tables = tablesSql ? parseTables(tablesSql) : new Map() as TableColumns;
  const domain = descriptor.domain;
  const pii = descriptor.pii;
  const rulesLeft = new Set(descriptor.quality.rules);
  const objects: Json[] = [];

  const propertyFor = (type: GraphQLObjectType, field: GraphQLField<unknown, unknown>, columns: Map<string, string> | undefined, depth: number): Json | null => {
    const named = getNamedType(field.type);
    if (isObjectType(named) && (isPlumbing(named.name) || (field.args.length > 0 && !isEntity(named)))) return null; // navigations and computed views
    const column = columnForField(field.name, columns);
    const coordinate = `${type.name}.${field.name}`;
    const property: Json = { name: field.name, logicalType: logicalTypeOf(field.type), required: isNonNullType(field.type) };
    if (field.description) property.description = field.description;
    if (isObjectType(named) && isEntity(named)) {
      property.logicalType = isListType(isNonNullType(field.type) ? field.type.ofType : field.type) ? 'array' : 'string';
      property.description = `${field.description ? `${field.description} ` : ''}A reference to ${named.name} by its key.`;
    } else if (isObjectType(named) && depth < 2) {
      const nested = Object.values(named.getFields()).map((f) => propertyFor(named, f, undefined, depth + 1)).filter((p): p is Json => p !== null);
      if (property.logicalType === 'array') property.items = { logicalType: 'object', properties: nested };
      else property.properties = nested;
    } else if (property.logicalType === 'array') {
      property.items = { logicalType: logicalTypeOf(getNamedType(field.type) as GraphQLOutputType) };
    }
    if (column && columns) {
      const definition = columns.get(column)!;
      property.physicalName = column;
      property.physicalType = physicalTypeOf(definition);
      if (/primary\s+key/i.test(definition)) property.primaryKey = true;
      if (/\bunique\b/i.test(definition)) property.unique = true;
    }
    if (pii[coordinate]) {
      property.classification = 'restricted';
      property.tags = ['pii', `pii:${pii[coordinate]}`];
    }
    return property;
  };

  const typeNames = Object.keys(schema.getTypeMap()).filter((name) => {
    const type = schema.getType(name);
    return isObjectType(type) && !isPlumbing(name) && !isReferenceOnly(typeDefs, name) && typeDefs.definitions.some((d) => 'name' in d && d.name?.value === name);
  });
  for (const name of typeNames) {
    const type = schema.getType(name) as GraphQLObjectType;
    const tableName = tableForType(name, tables);
    const table = tableName ? tables.get(tableName) : undefined;
    const owner = tableName ? domain : ownerOfType(name);
    // Value types without a table (summaries, assessments) appear nested in the objects that hold them.
    if (!tableName && !isEntity(type)) continue;
    // Another product's fields this one only reads (@external) are in that product's contract, not this one's.
    const properties = Object.values(type.getFields())
      .filter((field) => !isExternal(typeDefs, name, field.name))
      .map((field) => propertyFor(type, field, table?.columns, 0))
      .filter((p): p is Json => p !== null);
    const physicalTable = tableName ? `${domain}.${tableName}` : undefined;
    const object: Json = { name, logicalType: 'object' };
    if (tableName) Object.assign(object, { physicalType: 'table', physicalName: physicalTable });
    object.description = tableName || owner === domain
      ? (type.description ?? `${name}, served by the ${domain} product.`)
      : `Fields the ${domain} product adds to ${name}${owner ? `, which the ${owner} product owns` : ''}.`;
    if (!tableName && properties.every((p) => p.name === 'id')) continue;
    if (tableName) {
      // Columns that quality rules read but the API does not serve are part of the contract too.
      for (const rule of descriptor.quality.rules) {
        if (!('column' in rule) || rule.table.split('.').pop() !== tableName) continue;
        if (properties.some((p) => p.physicalName === rule.column)) continue;
        const definition = table!.columns.get(rule.column);
        properties.push({
          name: rule.column,
          physicalName: rule.column,
          ...(definition ? { physicalType: physicalTypeOf(definition), required: /not\s+null|primary\s+key/i.test(definition) } : {}),
          description: 'Stored column, not served by the GraphQL API; quality rules read it.',
        });
      }
      const objectQuality: Json[] = [];
      for (const rule of descriptor.quality.rules) {
        if (rule.type === 'sql') {
          if (!new RegExp(`\\b(from|join)\\s+(${domain}\\.)?${tableName}\\b`, 'i').test(rule.query) || !rulesLeft.has(rule)) continue;
          objectQuality.push(qualityEntry(rule, descriptor, physicalTable!, false));
          rulesLeft.delete(rule);
          continue;
        }
        if (rule.type === 'model') continue;
        if (rule.table.split('.').pop() !== tableName) continue;
        rulesLeft.delete(rule);
        const property = 'column' in rule && rule.type !== 'freshness' ? properties.find((p) => p.physicalName === rule.column) : undefined;
        if (property) ((property.quality ??= []) as Json[]).push(qualityEntry(rule, descriptor, physicalTable!, true));
        else objectQuality.push(qualityEntry(rule, descriptor, physicalTable!, false));
      }
      if (objectQuality.length) object.quality = objectQuality;
    }
    object.properties = properties;
    objects.push(object);
  }
  // Rules on tables no type maps to: an object for the table itself.
  for (const rule of rulesLeft) {
    if (rule.type === 'model') {
      // A model the product serves: an object of its own, with the rule as a custom check meshgate runs.
      let model = objects.find((o) => o.name === rule.model && o.physicalType === 'model');
      if (!model) objects.push((model = { name: rule.model, logicalType: 'object', physicalType: 'model', description: `The ${rule.model} model the product serves (see models: in its descriptor).`, properties: [] }));
      const { name, description, severity } = rule;
      ((model.quality ??= []) as Json[]).push({ name, ...(description ? { description } : {}), severity, type: 'custom', engine: 'meshgate', implementation: `${rule.metric} on the held-out split >= ${rule.min}`, mustBeGreaterOrEqualTo: rule.min, scheduler: 'meshgate', schedule: descriptor.quality.schedule });
      continue;
    }
    const tableName = 'table' in rule ? rule.table.split('.').pop()! : (rule.query.match(/\b(?:from|join)\s+(?:\w+\.)?(\w+)/i)?.[1] ?? 'unknown');
    let object = objects.find((o) => o.physicalName === `${domain}.${tableName}`);
    if (!object) {
      object = { name: tableName, logicalType: 'object', physicalType: 'table', physicalName: `${domain}.${tableName}`, description: `Table ${tableName}, not served by the GraphQL API.`, properties: [] };
      objects.push(object);
    }
    ((object.quality ??= []) as Json[]).push(qualityEntry(rule, descriptor, `${domain}.${tableName}`, false));
  }

  const freshnessRule = descriptor.quality.rules.find((rule) => rule.type === 'freshness') as Extract<QualityRule, { type: 'freshness' }> | undefined;
  const element = freshnessRule ? `${freshnessRule.table.split('.').pop()}.${freshnessRule.column}` : undefined;
  const contactUrl = descriptor.owner.contact.startsWith('http') ? descriptor.owner.contact : `mailto:${descriptor.owner.contact.replace(/^mailto:/, '')}`;
  const customProperties: Json[] = [{ property: 'meshgateDescriptor', value: `subgraphs/${domain}/dataproduct.yaml` }];
  if (descriptor.deprecation) {
    customProperties.push({ property: 'deprecationReason', value: descriptor.deprecation.reason });
    if (descriptor.deprecation.replacedBy) customProperties.push({ property: 'replacedBy', value: descriptor.deprecation.replacedBy });
  }
  return {
    apiVersion: ODCS_API_VERSION,
    kind: 'DataContract',
    id: descriptor.id,
    name: descriptor.name,
    version: descriptor.version,
    status: descriptor.status,
    domain,
    dataProduct: descriptor.name,
    description: {
      purpose: descriptor.description.purpose,
      limitations: descriptor.description.limitations,
      usage: descriptor.description.usage,
      ...(descriptor.termsOfUse.url ? { authoritativeDefinitions: [{ type: 'termsOfUse', url: descriptor.termsOfUse.url }] } : {}),
      customProperties: [{ property: 'termsOfUse', value: descriptor.termsOfUse.summary }],
    },
    tags: descriptor.tags,
    schema: objects,
    slaProperties: [
      { property: 'availability', value: Number(descriptor.sla.availability.replace('%', '')), unit: 'percent' },
      { property: 'latency', ...durationValue(descriptor.sla.freshness), ...(element ? { element } : {}), description: 'Freshness: how old the newest data may be.' },
      { property: 'retention', ...durationValue(descriptor.sla.retention), ...(element ? { element } : {}) },
      { property: 'responseTimeP95', value: descriptor.sla.latencyP95Ms, unit: 'ms', description: '95th percentile response time of the GraphQL subgraph.' },
      ...(descriptor.deprecation?.sunset ? [{ property: 'endOfSupport', value: descriptor.deprecation.sunset }] : []),
    ],
    team: {
      name: descriptor.owner.team,
      description: `Owns the ${descriptor.name} data product.`,
      members: [{ username: descriptor.owner.contact.replace(/^mailto:/, ''), role: 'owner' }],
    },
    support: [{ channel: descriptor.owner.team, tool: contactUrl.startsWith('mailto:') ? 'email' : 'other', scope: 'interactive', url: contactUrl }],
    customProperties,
  };
}
