/**
 * Receive stage, last step: the document is validated against the API schema
 * with graphql-js's specified rules, except that OverlappingFieldsCanBeMerged
 * (quadratic in the fields sharing a response name) is replaced by
 * LinearOverlappingFieldsRule. Every rule then costs time linear in the
 * document, or in its size after fragment expansion, which the operation
 * limits have bounded before this runs (`useOperationLimits` calls it only
 * for operations within the principal's limits); that is why Apollo Server's
 * own validation, which runs before any plugin hook, is off
 * (`dangerouslyDisableValidation` in index.ts).
 *
 * `@defer` (served by execution/defer/useDefer.ts) is validated as graphql-js
 * 17 declares it (`if: Boolean! = true`, `label: String`, on fragments only),
 * although the API schema @apollo/gateway builds does not declare it; not in
 * a document with a subscription, whose events are never delivered in parts.
 *
 * Guarantees: the same verdict as Apollo Server's validation with the same
 * rules (introspection refused by NoSchemaIntrospectionCustomRule when it is
 * `never`, as Apollo's `introspection: false` does); errors with Apollo's code
 * GRAPHQL_VALIDATION_FAILED and HTTP 400; no "Did you mean ...?" suggestions,
 * which name schema fields and types, for a principal the introspection
 * policy would not show the schema to, nor outside development mode (what
 * Apollo's `hideSchemaDetailsFromClientErrors` does, which works only inside
 * its own validation). Never: change a document, or keep per-request state:
 * results are remembered per document object (Apollo Server's document store
 * hands the same object for the same query) and schema, weakly.
 */
import { ApolloServerErrorCode } from '@apollo/server/errors';
import {
  DirectiveLocation,
  GraphQLBoolean,
  GraphQLDirective,
  GraphQLError,
  GraphQLNonNull,
  GraphQLSchema,
  GraphQLString,
  Kind,
  NoSchemaIntrospectionCustomRule,
  OverlappingFieldsCanBeMergedRule,
  specifiedRules,
  validate,
  type DocumentNode,
  type ValidationRule,
} from 'graphql';
import type { IntrospectionPolicy } from '../authorization/authorizeOperation';
import type { Principal } from '../identity/principal';
import { LinearOverlappingFieldsRule } from './LinearOverlappingFieldsRule';

/** graphql-js's specified rules, each linear in the document (or in its expanded size). */
export const LINEAR_SPECIFIED_RULES: readonly ValidationRule[] = specifiedRules.map((rule) =>
  rule === OverlappingFieldsCanBeMergedRule ? LinearOverlappingFieldsRule : rule,
);

/** `@defer` as the incremental-delivery proposal (and graphql-js 17) declares it. */
export const DEFER_DIRECTIVE = new GraphQLDirective({
  name: 'defer',
  locations: [DirectiveLocation.FRAGMENT_SPREAD, DirectiveLocation.INLINE_FRAGMENT],
  args: { if: { type: new GraphQLNonNull(GraphQLBoolean), defaultValue: true }, label: { type: GraphQLString } },
});

const withDeferBySchema = new WeakMap<GraphQLSchema, GraphQLSchema>();
/** The schema with `@defer` declared (once per schema). */
function withDefer(schema: GraphQLSchema): GraphQLSchema {
  let extended = withDeferBySchema.get(schema);
  if (!extended) {
    const config = schema.toConfig();
    extended = schema.getDirective('defer') ? schema : new GraphQLSchema({ ...config, directives: [...config.directives, DEFER_DIRECTIVE] });
    withDeferBySchema.set(schema, extended);
  }
  return extended;
}

/** The suggestion graphql-js appends to some messages (the pattern Apollo Server's DisableSuggestions plugin removes). */
const SUGGESTION = / ?Did you mean(.+?)\?$/;

export type ValidationOptions = {
  mode: 'development' | 'production';
  introspection: IntrospectionPolicy;
};

export type ValidateOperation = (request: { document: DocumentNode; schema: GraphQLSchema; principal: Pick<Principal, 'kind'> }) => GraphQLError[];

/** True when this principal may see schema details in errors: in development, and when the introspection policy would show it the schema. */
export function showsSchemaDetails(options: ValidationOptions, principal: Pick<Principal, 'kind'>): boolean {
  if (options.mode !== 'development' || options.introspection === 'never') return false;
  return options.introspection === 'always' || principal.kind !== 'anonymous';
}

function asValidationError(error: GraphQLError, withoutSuggestions: boolean): GraphQLError {
  return new GraphQLError(withoutSuggestions ? error.message.replace(SUGGESTION, '') : error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: ApolloServerErrorCode.GRAPHQL_VALIDATION_FAILED, http: { status: 400 } },
  });
}

/** The validation step of the Receive stage: the document's validation errors for this principal (empty when valid). */
export function validateOperation(options: ValidationOptions): ValidateOperation {
  const rules = options.introspection === 'never' ? [...LINEAR_SPECIFIED_RULES, NoSchemaIntrospectionCustomRule] : LINEAR_SPECIFIED_RULES;
  const remembered = new WeakMap<DocumentNode, { schema: GraphQLSchema; errors: readonly GraphQLError[] }>();
  return ({ document, schema, principal }) => {
    let result = remembered.get(document);
    if (result?.schema !== schema) {
      const subscription = document.definitions.some((definition) => definition.kind === Kind.OPERATION_DEFINITION && definition.operation === 'subscription');
      result = { schema, errors: validate(subscription ? schema : withDefer(schema), document, rules) };
      remembered.set(document, result);
    }
    const withoutSuggestions = !showsSchemaDetails(options, principal);
    return result.errors.map((error) => asValidationError(error, withoutSuggestions));
  };
}
