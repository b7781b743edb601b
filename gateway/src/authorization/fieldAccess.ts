/**
 * Which fields a principal may read, decided by the compiled policy the
 * authorization stage enforces (authorization/compilePolicy.ts), evaluated
 * the way that stage evaluates before planning: each rule part in order, the
 * first denial wins, with no parent object. For the catalog (its page and
 * the MCP catalog tools: which of a product's fields, and of its example
 * queries, this principal may read) and the MCP validate tool (which fields
 * of a query would be withheld).
 *
 * Guarantees: it only tells; the authorization stage still decides every
 * real request. A rule that needs the parent object (row-level) makes the
 * field `per-row`; a rule that throws denies, as in the stage.
 * Must never: say `yes` for a field the stage would deny before planning.
 */
import { Kind, type GraphQLField, type GraphQLObjectType, type GraphQLResolveInfo, type GraphQLSchema, type OperationDefinitionNode } from 'graphql';
import type { CompiledPolicy } from '../authorization/compilePolicy';
import { evaluateRule, UNKNOWN_PARENT } from '../authorization/ruleTree';
import type { MeshContext } from '../context';

export type FieldAccess =
  | { readable: 'yes' }
  | { readable: 'no'; rule: string; reason: string }
  /** Decided on each object after execution (a row-level rule): some rows may be readable, others not. */
  | { readable: 'per-row'; rules: string[] };

const PROBE: OperationDefinitionNode = { kind: Kind.OPERATION_DEFINITION, operation: 'query' as never, selectionSet: { kind: Kind.SELECTION_SET, selections: [] } };

function infoFor(schema: GraphQLSchema, parentType: GraphQLObjectType, field: GraphQLField<unknown, unknown>): GraphQLResolveInfo {
  return {
    fieldName: field.name,
    fieldNodes: [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: field.name } }],
    returnType: field.type,
    parentType,
    path: { prev: undefined, key: field.name, typename: parentType.name },
    schema,
    fragments: {},
    rootValue: undefined,
    operation: PROBE,
    variableValues: {},
  };
}

/** Decides fields for one principal; decisions are remembered for the life of the object (one tool call). */
export class FieldAccessReader {
  private readonly decided = new Map<string, Promise<FieldAccess>>();
  private readonly context: MeshContext;

  constructor(
    private readonly schema: GraphQLSchema,
    /** undefined when authorization is off: every field is readable. */
    private readonly policy: CompiledPolicy | undefined,
    context: MeshContext,
    private readonly onRuleError: (rule: string, error: unknown) => void = () => undefined,
  ) {
    // Its own rule cache: a probe must not leave decisions in a request's cache.
    this.context = { ...context, _shield: { cache: {} } };
  }

  of(typeName: string, fieldName: string): Promise<FieldAccess> {
    const coordinate = `${typeName}.${fieldName}`;
    let decision = this.decided.get(coordinate);
    if (!decision) this.decided.set(coordinate, (decision = this.decide(typeName, fieldName)));
    return decision;
  }

  private async decide(typeName: string, fieldName: string): Promise<FieldAccess> {
    if (!this.policy) return { readable: 'yes' };
    const type = this.schema.getType(typeName) as GraphQLObjectType | undefined;
    const field = type?.getFields?.()[fieldName];
    if (!type || !field) return { readable: 'no', rule: 'schema', reason: `${typeName}.${fieldName} is not in the graph being served` };
    const info = infoFor(this.schema, type, field);
    const perRow: string[] = [];
    for (const part of this.policy.forField(typeName, fieldName).parts) {
      const outcome = await evaluateRule(part.rule, { parent: UNKNOWN_PARENT, args: {}, context: this.context, info, onRuleError: this.onRuleError });
      if (outcome.kind === 'deny') return { readable: 'no', rule: part.label, reason: outcome.reason };
      if (outcome.kind === 'unknown') perRow.push(part.label);
    }
    return perRow.length ? { readable: 'per-row', rules: perRow } : { readable: 'yes' };
  }
}
