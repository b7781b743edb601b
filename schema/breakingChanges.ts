/**
 * Breaking changes between two supergraphs, as clients see them: both are
 * reduced to their API schemas (what the gateway serves) and compared with
 * graphql-js' `findBreakingChanges` and `findDangerousChanges`. Each change is
 * mapped to a readable message, a kind, the schema coordinate it is about and
 * the subgraphs that define that element, so a domain's check can tell its own
 * breaking changes from someone else's.
 *
 * Reported as errors: removed fields and types, retyped fields and arguments,
 * arguments and input fields made required, removed enum values, and the other
 * changes that make valid operations invalid (removed arguments, union members,
 * interfaces). Directive changes are left out: the API schema has none a client
 * can use. Dangerous changes (added enum values, changed defaults) are warnings.
 */
import { Supergraph } from '@apollo/federation-internals';
import {
  findBreakingChanges,
  findDangerousChanges,
  isInputObjectType,
  type BreakingChange,
  type DangerousChange,
  type GraphQLSchema,
} from 'graphql';

export type SchemaChangeKind =
  | 'field-removed'
  | 'type-removed'
  | 'field-retyped'
  | 'argument-required'
  | 'argument-retyped'
  | 'argument-removed'
  | 'enum-value-removed'
  | 'union-member-removed'
  | 'interface-removed'
  | 'type-kind-changed'
  | 'enum-value-added'
  | 'default-changed';

export type SchemaChange = {
  severity: 'error' | 'warning';
  kind: SchemaChangeKind;
  /** graphql-js' change type, for example FIELD_REMOVED. */
  graphqlChange: string;
  /** The element: `Type`, `Type.field`, `Type.field(arg:)` or `Enum.VALUE`. */
  coordinate: string;
  message: string;
  /** The subgraphs that define the element, before or after the change. */
  subgraphs: string[];
};

/** The API schema (what clients see) of a supergraph SDL. Features the gateway does not execute itself (security directives) are accepted. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl, { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();
}

type Parsed = { kind: SchemaChangeKind; coordinate: string; typeName: string; member?: string; message: string } | null;

const isInputType = (schema: GraphQLSchema, typeName: string) => isInputObjectType(schema.getType(typeName));
const madeRequired = (from: string, to: string) => to === `${from}!`;

function parse(change: BreakingChange | DangerousChange, oldSchema: GraphQLSchema): Parsed {
  const d = change.description;
  let m: RegExpMatchArray | null;
  switch (change.type) {
    case 'TYPE_REMOVED':
      if ((m = d.match(/^(\w+) was removed\.$/))) {
        return { kind: 'type-removed', typeName: m[1], coordinate: m[1], message: `Type ${m[1]} was removed, with all its fields; operations that use it fail validation.` };
      }
      return null; // a standard scalar nobody uses any more: its users were reported already
    case 'TYPE_CHANGED_KIND':
      if ((m = d.match(/^(\w+) changed from (.+) to (.+)\.$/))) {
        return { kind: 'type-kind-changed', typeName: m[1], coordinate: m[1], message: `Type ${m[1]} changed from ${m[2]} to ${m[3]}; selections on it no longer fit.` };
      }
      break;
    case 'FIELD_REMOVED':
      if ((m = d.match(/^(\w+)\.(\w+) was removed\.$/))) {
        const input = isInputType(oldSchema, m[1]);
        return {
          kind: 'field-removed',
          typeName: m[1],
          member: m[2],
          coordinate: `${m[1]}.${m[2]}`,
          message: input
            ? `Input field ${m[1]}.${m[2]} was removed; clients that send it get a validation error.`
            : `Field ${m[1]}.${m[2]} was removed; operations that select it fail validation.`,
        };
      }
      break;
    case 'FIELD_CHANGED_KIND':
      if ((m = d.match(/^(\w+)\.(\w+) changed type from (.+) to (.+)\.$/))) {
        const coordinate = `${m[1]}.${m[2]}`;
        if (isInputType(oldSchema, m[1]) && madeRequired(m[3], m[4])) {
          return { kind: 'argument-required', typeName: m[1], member: m[2], coordinate, message: `Input field ${coordinate} is now required (${m[3]} → ${m[4]}); clients that leave it out fail.` };
        }
        return { kind: 'field-retyped', typeName: m[1], member: m[2], coordinate, message: `Field ${coordinate} changed type from ${m[3]} to ${m[4]}; clients reading it may break.` };
      }
      break;
    case 'REQUIRED_INPUT_FIELD_ADDED':
      if ((m = d.match(/^A required field (\w+) on input type (\w+) was added\.$/))) {
        return { kind: 'argument-required', typeName: m[2], member: m[1], coordinate: `${m[2]}.${m[1]}`, message: `Input ${m[2]} has a new required field ${m[1]}; existing clients do not send it.` };
      }
      break;
    case 'REQUIRED_ARG_ADDED':
      if ((m = d.match(/^A required arg (\w+) on (\w+)\.(\w+) was added\.$/))) {
        const coordinate = `${m[2]}.${m[3]}(${m[1]}:)`;
        return { kind: 'argument-required', typeName: m[2], member: m[3], coordinate, message: `Argument ${coordinate} was added as required; existing operations do not pass it.` };
      }
      break;
    case 'ARG_CHANGED_KIND':
      if ((m = d.match(/^(\w+)\.(\w+) arg (\w+) has changed type from (.+) to (.+)\.$/))) {
        const coordinate = `${m[1]}.${m[2]}(${m[3]}:)`;
        if (madeRequired(m[4], m[5])) {
          return { kind: 'argument-required', typeName: m[1], member: m[2], coordinate, message: `Argument ${coordinate} is now required (${m[4]} → ${m[5]}); operations that leave it out fail.` };
        }
        return { kind: 'argument-retyped', typeName: m[1], member: m[2], coordinate, message: `Argument ${coordinate} changed type from ${m[4]} to ${m[5]}; operations passing the old type fail.` };
      }
      break;
    case 'ARG_REMOVED':
      if ((m = d.match(/^(\w+)\.(\w+) arg (\w+) was removed\.$/))) {
        const coordinate = `${m[1]}.${m[2]}(${m[3]}:)`;
        return { kind: 'argument-removed', typeName: m[1], member: m[2], coordinate, message: `Argument ${coordinate} was removed; operations that pass it fail validation.` };
      }
      break;
    case 'VALUE_REMOVED_FROM_ENUM':
      if ((m = d.match(/^(\w+) was removed from enum type (\w+)\.$/))) {
        return { kind: 'enum-value-removed', typeName: m[2], member: m[1], coordinate: `${m[2]}.${m[1]}`, message: `Enum value ${m[2]}.${m[1]} was removed; clients that send it fail, clients that expect it never see it again.` };
      }
      break;
    case 'TYPE_REMOVED_FROM_UNION':
      if ((m = d.match(/^(\w+) was removed from union type (\w+)\.$/))) {
        return { kind: 'union-member-removed', typeName: m[2], member: m[1], coordinate: m[2], message: `${m[1]} was removed from union ${m[2]}; fragments on it no longer match.` };
      }
      break;
    case 'IMPLEMENTED_INTERFACE_REMOVED':
      if ((m = d.match(/^(\w+) no longer implements interface (\w+)\.$/))) {
        return { kind: 'interface-removed', typeName: m[1], coordinate: m[1], message: `${m[1]} no longer implements ${m[2]}; fragments on ${m[2]} no longer match it.` };
      }
      break;
    case 'VALUE_ADDED_TO_ENUM':
      if ((m = d.match(/^(\w+) was added to enum type (\w+)\.$/))) {
        return { kind: 'enum-value-added', typeName: m[2], member: m[1], coordinate: `${m[2]}.${m[1]}`, message: `Enum value ${m[2]}.${m[1]} was added; clients with an exhaustive switch over ${m[2]} should handle it.` };
      }
      break;
    case 'ARG_DEFAULT_VALUE_CHANGE':
      if ((m = d.match(/^(\w+)\.(\w+) arg (\w+) (?:has changed defaultValue from (.+) to (.+)|defaultValue was removed)\.$/))) {
        const coordinate = `${m[1]}.${m[2]}(${m[3]}:)`;
        const what = m[4] ? `changed its default from ${m[4]} to ${m[5]}` : 'lost its default';
        return { kind: 'default-changed', typeName: m[1], member: m[2], coordinate, message: `Argument ${coordinate} ${what}; operations that omit it now get different results.` };
      }
      break;
    default:
      return null; // directive changes, and dangerous changes that cannot break a client
  }
  return null;
}

/** Which subgraphs of a supergraph define a type, or a field or enum value of it. */
function definingSubgraphs(supergraph: Supergraph | null, typeName: string, member?: string): string[] {
  if (!supergraph) return [];
  const names: string[] = [];
  for (const subgraph of supergraph.subgraphs()) {
    const type = subgraph.schema.type(typeName);
    if (!type) continue;
    if (member === undefined) names.push(subgraph.name);
    else if ('field' in type && typeof type.field === 'function' && type.field(member)) names.push(subgraph.name);
    else if ('value' in type && typeof type.value === 'function' && type.value(member)) names.push(subgraph.name);
  }
  return names;
}

const DANGEROUS_KINDS = new Set(['VALUE_ADDED_TO_ENUM', 'ARG_DEFAULT_VALUE_CHANGE']);

/** Every client-visible breaking (error) and dangerous (warning) change from `before` to `after`, both supergraph SDLs. */
export function findSchemaChanges(before: string, after: string): SchemaChange[] {
  const oldSupergraph = Supergraph.build(before, { supportedFeatures: null });
  const newSupergraph = Supergraph.build(after, { supportedFeatures: null });
  const oldSchema = oldSupergraph.apiSchema().toGraphQLJSSchema();
  const newSchema = newSupergraph.apiSchema().toGraphQLJSSchema();
  const changes: SchemaChange[] = [];
  const add = (change: BreakingChange | DangerousChange, severity: 'error' | 'warning') => {
    const parsed = parse(change, oldSchema);
    if (!parsed) return;
    const subgraphs = [...new Set([...definingSubgraphs(oldSupergraph, parsed.typeName, parsed.member), ...definingSubgraphs(newSupergraph, parsed.typeName, parsed.member)])].sort();
    changes.push({ severity, kind: parsed.kind, graphqlChange: change.type, coordinate: parsed.coordinate, message: parsed.message, subgraphs });
  };
  for (const change of findBreakingChanges(oldSchema, newSchema)) add(change, 'error');
  for (const change of findDangerousChanges(oldSchema, newSchema)) if (DANGEROUS_KINDS.has(change.type)) add(change, 'warning');
  return changes;
}

