/**
 * What a principal may read, field by field, decided without the gateway's
 * authorization stage: the property test compares the gateway's answers with it.
 *
 * Guarantees:
 * - a field's decision comes from the policy files themselves (policies/,
 *   compiled for the served supergraph, @pii and the authorization directives
 *   included), evaluated for the principal and the field's arguments with a
 *   fresh graphql-shield cache per decision, so no decision of one field or
 *   argument set can leak into another;
 * - an argument that filters, searches or sorts by a field (`@reads` in the
 *   subgraph schemas) is allowed only when the principal may read that field
 *   on every object (`argument` otherwise: the field must not be served),
 *   and an argument that selects one row-scoped entity's rows (a link to it
 *   or its key) is `argument` on a field that answers with sums of them, for
 *   the principals the scope applies to;
 * - a field whose rules read the parent object (row-level) is `row`, and for
 *   the types with row facts (customers, and transactions, which belong to a
 *   customer) the rows the principal may read are decided from PostgreSQL (the
 *   parent fields the rule reads, straight from the domains' tables, links
 *   followed through `<field>_id`) by the same rules;
 * - it never calls the gateway's authorization walk (authorizeOperation,
 *   completeResponse), whose answers are what the property checks.
 *
 * It shares the rule evaluator (ruleTree.ts) and the policy compiler with the
 * gateway on purpose: they are the policy's meaning, and their own unit tests
 * prove them. A README-derived sanity test (in the property test file) makes
 * sure the decisions are not vacuous.
 */
import { getNamedType, getNullableType, isInputObjectType, isListType, Kind, type GraphQLInputType, type GraphQLObjectType, type GraphQLResolveInfo, type GraphQLSchema, type SelectionNode } from 'graphql';
import { compilePolicy, type CompiledPolicy } from '../../../gateway/src/authorization/compilePolicy';
import { argumentCoordinate, readSupergraphFacts } from '../../../gateway/src/authorization/supergraphFacts';
import { evaluateRule, UNKNOWN_PARENT } from '../../../gateway/src/authorization/ruleTree';
import type { MeshContext } from '../../../gateway/src/context';
import type { Principal } from '../../../gateway/src/identity/principal';
import type { PolicySet } from '../../../policies';
import type { Db } from '../../../subgraphs/lib/db';

/**
 * `deny`: the field's rules deny; `argument`: they allow, but an argument given
 * (or defaulted) filters, searches or sorts by a field the principal may not
 * read (`@reads`); `row`: decided per object after execution.
 */
export type Decision = 'allow' | 'deny' | 'argument' | 'row';

export type FieldAccess = {
  principal: Principal;
  /** The decision before execution for a field with these (coerced) arguments. */
  decide(typeName: string, fieldName: string, args: Record<string, unknown>): Promise<Decision>;
  /** For a row-level field: may the principal read it on the object with this id? */
  readsRow(typeName: string, fieldName: string, id: string): Promise<boolean>;
  /** Parent fields that row-level rules read on a type: the gateway may fetch these under `mg__` aliases. */
  helperFields(typeName: string): Set<string>;
  /**
   * Personal data (fields under the global PII rule, of the types with row facts) the principal may not read, value to coordinate:
   * none of these strings may appear anywhere in an answer to this principal.
   */
  secretValues(): Promise<Map<string, string>>;
};

/** The row facts a row-level rule may read, per type: how to load them for every object of the type. */
const ROW_SOURCES: Record<string, { table: string; id: string }> = {
  // Columns are the fields' names in snake_case (accountManager is account_manager); a link to another type is `<field>_id`.
  Customer: { table: 'customers.customer', id: 'id' },
  // Belongs to a customer (the Customer row scope reads `customer { accountManager }` on it).
  Transaction: { table: 'finance.transactions', id: 'id' },
};

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** The policy files compiled for a supergraph, as the gateway compiles them (descriptors' PII classifications included). */
export function compileMeshPolicy(options: {
  policies: PolicySet;
  schema: GraphQLSchema;
  supergraphSdl: string;
  descriptors?: Parameters<typeof compilePolicy>[0]['descriptors'];
}): CompiledPolicy {
  const { policies, schema, supergraphSdl, descriptors } = options;
  return compilePolicy({ global: policies.global, domains: policies.domains, schema, facts: readSupergraphFacts(supergraphSdl), descriptors });
}

export function fieldAccessFor(options: { policy: CompiledPolicy; schema: GraphQLSchema; supergraphSdl: string; principal: Principal; db: Db }): FieldAccess {
  const { policy, schema, principal, db } = options;
  const facts = readSupergraphFacts(options.supergraphSdl);
  const decisions = new Map<string, Promise<Decision>>();
  const rowFacts = new Map<string, Promise<Map<string, Record<string, unknown>>>>();

  const evaluate = async (typeName: string, fieldName: string, args: Record<string, unknown>, parent: object | typeof UNKNOWN_PARENT) => {
    const type = schema.getType(typeName) as { getFields(): Record<string, { type: unknown }> };
    const info = {
      fieldName,
      fieldNodes: [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: fieldName } }],
      returnType: type.getFields()[fieldName].type,
      parentType: type,
      path: { prev: undefined, key: fieldName, typename: typeName },
      schema,
      fragments: {},
      rootValue: undefined,
      operation: undefined,
      variableValues: {},
    } as unknown as GraphQLResolveInfo;
    const context: MeshContext = { principal, requestId: 'oracle', client: {}, _shield: { cache: {} }, cache: {} };
    let unknown = false;
    for (const part of policy.forField(typeName, fieldName).parts) {
      const outcome = await evaluateRule(part.rule, { parent, args, context, info, onRuleError: () => undefined });
      if (outcome.kind === 'deny') return 'deny' as const;
      if (outcome.kind === 'unknown') unknown = true;
    }
    return unknown ? ('row' as const) : ('allow' as const);
  };

  // Every row of the type's table, by id, with its columns (snake_case, as stored).
  const rowsOf = (typeName: string) => {
    let rows = rowFacts.get(typeName);
    if (!rows) {
      const source = ROW_SOURCES[typeName];
      if (!source) throw new Error(`no row facts for ${typeName}: add its table to ROW_SOURCES in tests/security/generators/fieldAccess.ts`);
      rows = db.query<Record<string, unknown>>(`SELECT * FROM ${source.table}`).then((found) => new Map(found.map((row) => [String(row[source.id]), row])));
      rowFacts.set(typeName, rows);
    }
    return rows;
  };
  // What a row-level rule sees as the parent: the fields its fragment reads, following links (`customer { accountManager }`) to the linked type's row.
  const viewOf = async (typeName: string, row: Record<string, unknown>, selections: readonly SelectionNode[]): Promise<Record<string, unknown>> => {
    const view: Record<string, unknown> = {};
    const fields = (schema.getType(typeName) as GraphQLObjectType).getFields();
    for (const selection of selections) {
      if (selection.kind !== Kind.FIELD) continue;
      const name = selection.name.value;
      if (!selection.selectionSet) {
        view[name] = row[snakeCase(name)] ?? null;
        continue;
      }
      const target = getNamedType(fields[name].type).name;
      const linked = (await rowsOf(target)).get(String(row[`${snakeCase(name)}_id`]));
      view[name] = linked ? await viewOf(target, linked, selection.selectionSet.selections) : null;
    }
    return view;
  };
  const parentView = (typeName: string, row: Record<string, unknown>) => {
    const type = schema.getType(typeName) as GraphQLObjectType;
    const selections = Object.keys(type.getFields()).flatMap((fieldName) => policy.forField(typeName, fieldName).parentSelections);
    return viewOf(typeName, row, selections);
  };

  const helperFieldsOf = (typeName: string) => {
    const type = schema.getType(typeName) as { getFields?(): Record<string, unknown> } | undefined;
    const names = new Set<string>();
    for (const fieldName of Object.keys(type?.getFields?.() ?? {})) {
      for (const selection of policy.forField(typeName, fieldName).parentSelections) {
        if (selection.kind === Kind.FIELD) names.add(selection.name.value);
      }
    }
    return names;
  };

  // The fields that the given arguments filter, search or sort by, walking input objects and lists as the schema types them.
  const readsOfArguments = (typeName: string, fieldName: string, args: Record<string, unknown>): string[] => {
    const reads: string[] = [];
    const visit = (coordinate: string, type: GraphQLInputType, value: unknown) => {
      if (value === null || value === undefined) return;
      const declared = facts.reads(coordinate);
      if (declared) {
        reads.push(...declared.fields);
        for (const item of Array.isArray(value) ? value : [value]) if (typeof item === 'string') reads.push(...(declared.byValue?.[item] ?? []));
      }
      const nullable = getNullableType(type);
      const named = getNamedType(type);
      if (!isInputObjectType(named)) return;
      for (const item of isListType(nullable) && Array.isArray(value) ? value : [value]) {
        for (const [name, field] of Object.entries(named.getFields())) visit(`${named.name}.${name}`, field.type, (item as Record<string, unknown>)[name]);
      }
    };
    const definition = (schema.getType(typeName) as GraphQLObjectType).getFields()[fieldName];
    for (const arg of definition?.args ?? []) visit(argumentCoordinate(typeName, fieldName, arg.name), arg.type, args[arg.name]);
    return [...new Set(reads)];
  };

  const decide = (typeName: string, fieldName: string, args: Record<string, unknown>): Promise<Decision> => {
    const key = `${typeName}.${fieldName}|${JSON.stringify(args)}`;
    let decision = decisions.get(key);
    if (!decision) {
      decision = (async () => {
        const own = await evaluate(typeName, fieldName, args, UNKNOWN_PARENT);
        if (own === 'deny') return own;
        for (const read of readsOfArguments(typeName, fieldName, args)) {
          const [readType, readField] = read.split('.');
          // Filtering by a field readable only on some rows would tell about the others: only a field readable everywhere may be filtered by.
          if ((await decide(readType, readField, {})) !== 'allow') return 'argument';
          // Selecting one scoped entity's rows (a link to it, or its key) on a field that answers with sums of them, not the rows.
          const returned = getNamedType((schema.getType(typeName) as GraphQLObjectType).getFields()[fieldName].type).name;
          for (const selector of policy.rowSelectors(read)) {
            if (selector.holdsRows(returned)) continue;
            const context: MeshContext = { principal, requestId: 'oracle', client: {}, _shield: { cache: {} }, cache: {} };
            const applies = await evaluateRule(selector.appliesTo, { parent: UNKNOWN_PARENT, args: {}, context, info: {} as GraphQLResolveInfo, onRuleError: () => undefined });
            if (applies.kind !== 'deny') return 'argument';
          }
        }
        return own;
      })();
      decisions.set(key, decision);
    }
    return decision;
  };

  return {
    principal,
    decide,
    async readsRow(typeName, fieldName, id) {
      const row = (await rowsOf(typeName)).get(id);
      return (await evaluate(typeName, fieldName, {}, await parentView(typeName, row ?? {}))) === 'allow';
    },
    async secretValues() {
      const secrets = new Map<string, string>();
      const readable = new Set<string>();
      for (const typeName of Object.keys(ROW_SOURCES)) {
        const type = schema.getType(typeName) as { getFields(): Record<string, unknown> };
        const piiFields = Object.keys(type.getFields()).filter((field) => policy.forField(typeName, field).parts.some((part) => part.label.startsWith('global:pii')));
        for (const row of (await rowsOf(typeName)).values()) {
          for (const field of piiFields) {
            const value = row[snakeCase(field)];
            if (typeof value !== 'string' || value.length < 5) continue;
            const decision = await decide(typeName, field, {});
            const allowed = decision === 'allow' || (decision === 'row' && (await evaluate(typeName, field, {}, await parentView(typeName, row))) === 'allow');
            if (allowed) readable.add(value);
            else secrets.set(value, `${typeName}.${field}`);
          }
        }
      }
      // A value the principal may read somewhere (two customers with one name) is no secret.
      for (const value of readable) secrets.delete(value);
      return secrets;
    },
    helperFields: helperFieldsOf,
  };
}
