/**
 * Parsed and validated operations, by query text. The gateway sends a subgraph
 * the same few operation texts over and over (its query plans are cached), so
 * parsing and validating each text once saves most of that work per request.
 *
 * Only valid documents are kept: an invalid one is for Apollo Server to answer
 * with its own errors. The rules are Apollo Server's defaults: graphql-js's,
 * plus no introspection in production.
 */
import { NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { LRUCache } from 'lru-cache';

export class ValidDocuments {
  private readonly documents: LRUCache<string, DocumentNode>;
  private readonly rules = process.env.NODE_ENV === 'production' ? [...specifiedRules, NoSchemaIntrospectionCustomRule] : specifiedRules;

  constructor(private readonly schema: GraphQLSchema, maxDocuments = 1000) {
    this.documents = new LRUCache({ max: maxDocuments });
  }

  /** The document for `query`, or undefined when it does not parse or is not valid against the schema. */
  get(query: string): DocumentNode | undefined {
    const known = this.documents.get(query);
    if (known) return known;
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch {
      return undefined;
    }
    if (validate(this.schema, document, this.rules).length) return undefined;
    this.documents.set(query, document);
    return document;
  }
}
