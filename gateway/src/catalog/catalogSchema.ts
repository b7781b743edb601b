/**
 * The catalog subgraph's schema: what `dataProducts` and `dataProduct(id)`
 * answer. It composes with the domains like any other subgraph; every type is
 * prefixed `DataProduct` so it never collides with a domain's types, and
 * policies/global.ts lists them (readable by any authenticated principal).
 */
import { concatAST, parse } from 'graphql';
import { modelCardTypeDefs } from './modelCards';

export const CATALOG_SUBGRAPH = 'catalog';

export const catalogTypeDefs = concatAST([
  parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])

  "An ISO-8601 date-time in UTC."
  scalar DateTime

  "Where a data product is in its lifecycle."
  enum DataProductStatus {
    "Being built: in the graph in development mode only."
    DRAFT
    "Served and supported."
    ACTIVE
    "Still served, marked deprecated in the schema; responses that use it carry a warning."
    DEPRECATED
    "No longer served: removed from the graph."
    RETIRED
  }

  type Query {
    """
    Every data product of the mesh (nullable, like every root field, so a denial never wipes a response), optionally filtered. \`search\` matches, case-insensitively and word by word,
    the product's id, name, domain, tags, owner, purpose and the names of the types and fields it contributes.
    """
    dataProducts(search: String, domain: String, tag: String, status: DataProductStatus): [DataProduct!]
    "One data product by id; null when there is none (or it is a draft outside development)."
    dataProduct(id: ID!): DataProduct
  }

  "A domain's data product: its contract (descriptor), its live state and what it contributes to the graph."
  type DataProduct {
    "Stable identifier of the product."
    id: ID!
    "Human-readable name."
    name: String!
    "The owning domain."
    domain: String!
    "The subgraph that serves it."
    subgraph: String!
    "Semantic version of its contract."
    version: String!
    "Lifecycle status."
    status: DataProductStatus!
    "Whether its fields are in the graph now (not for retired products, nor for drafts outside development)."
    inSupergraph: Boolean!
    "Why it is deprecated or retired, and what replaces it."
    deprecation: DataProductDeprecation
    "The team accountable for it."
    owner: DataProductOwner!
    "Purpose, limitations and usage."
    description: DataProductDescription!
    "Tags for finding it."
    tags: [String!]!
    "Who may use the data and for what."
    termsOfUse: DataProductTerms!
    "Service levels it promises, and whether they are met now."
    sla: DataProductSla!
    "How recent its newest data is, measured now by its subgraph."
    freshness: DataProductFreshness!
    "The last run of its quality rules; null before the first run or when its subgraph does not answer."
    quality: DataProductQuality
    "The types it contributes to the graph, with the fields it resolves."
    types: [DataProductType!]!
    "Its fields that hold personal data, with the rules that guard them."
    piiFields: [DataProductField!]!
    "Operations to start from: the domain's own examples, or ones generated from the schema."
    exampleQueries: [DataProductExample!]!
    "The official operations (operations/ in the repository) that read this product's own fields, and who owns them."
    officialOperations: [DataProductOperation!]!
    "The models it serves, with their model cards and the last results of their quality rules."
    models: [DataProductModel!]!
  }

  "Why a product is deprecated or retired."
  type DataProductDeprecation {
    "Why."
    reason: String!
    "The product to use instead."
    replacedBy: String
    "When it is (or was) retired, as an ISO-8601 date."
    sunset: String
  }

  "The team accountable for a product."
  type DataProductOwner {
    "Team name."
    team: String!
    "Email address or URL where the team answers."
    contact: String!
  }

  "What a product is for, and how to use it."
  type DataProductDescription {
    "What the product is for."
    purpose: String!
    "What it must not be used for, or cannot answer."
    limitations: String!
    "How to use it, for example which entities to join on."
    usage: String!
  }

  "Terms of use."
  type DataProductTerms {
    "Who may use the data and for what."
    summary: String!
    "The full terms."
    url: String
  }

  "Service levels, as the descriptor promises them, and whether they hold now."
  type DataProductSla {
    "Share of time the subgraph answers, for example 99.9%."
    availability: String!
    "95th percentile response time promised, in milliseconds."
    latencyP95Ms: Int!
    "How old the newest data may be (ISO-8601 duration)."
    freshness: String!
    "How long data is kept (ISO-8601 duration)."
    retention: String!
    "Whether the subgraph answered just now."
    available: Boolean!
    """
    Whether the SLA is met now: the subgraph answers, the newest data is within the freshness target and every
    error-severity quality rule passed at the last run. Null when that cannot be told yet (no quality run, no freshness measure).
    """
    met: Boolean
    "What is not met, one sentence each."
    breaches: [String!]!
  }

  "Live freshness: the newest record, measured by the product's subgraph."
  type DataProductFreshness {
    "The newest record (the stalest table's newest row when several are measured)."
    newestRecordAt: DateTime
    "Seconds between the newest record and the measurement."
    lagSeconds: Int
    "The SLA's freshness target, in seconds."
    targetSeconds: Int!
    "Whether the lag is within the target; null when unknown."
    met: Boolean
    "The timestamp columns measured, as schema.table.column."
    measuredOn: [String!]!
    "When it was measured."
    checkedAt: DateTime
    "Why freshness is unknown."
    problem: String
  }

  "The results of one run of a product's quality rules."
  type DataProductQuality {
    "When the rules ran."
    ranAt: DateTime!
    "Share of rules that passed, from 0 to 1."
    score: Float!
    "True when every error-severity rule passed."
    passed: Boolean!
    "Names of the rules that failed, errors first."
    failedRules: [String!]!
    "Each rule's result."
    rules: [DataProductQualityResult!]!
  }

  "One quality rule's result."
  type DataProductQualityResult {
    "The rule's name."
    name: String!
    "notNull, unique, acceptedValues, range, rowCount, freshness or sql."
    type: String!
    "error or warning."
    severity: String!
    "What the rule guarantees."
    description: String
    "Whether it passed."
    passed: Boolean!
    "What was measured (offending rows, row count, age in seconds, the query's value)."
    observed: String
    "The result in words."
    message: String!
    "Further figures it measured: for a model rule, the model's and the rule-based flags' precision and recall on the same held-out split."
    figures: [DataProductFigure!]!
  }

  "A type a product contributes to, with the fields the product resolves."
  type DataProductType {
    "The type's name."
    name: String!
    "OBJECT or INTERFACE."
    kind: String!
    "The type's description."
    description: String
    "The fields of this type that the product resolves."
    fields: [DataProductField!]!
  }

  "A field of the graph that a product resolves."
  type DataProductField {
    "Type.field"
    coordinate: String!
    "The field's name."
    name: String!
    "Its GraphQL type, for example [Order!]!."
    type: String!
    "The field's description."
    description: String
    "The personal-data category when the field holds personal data."
    pii: String
    "Why the field is deprecated, when it is."
    deprecationReason: String
    "The authorization rules that must all allow reading it."
    guardedBy: [DataProductFieldRule!]!
    "Other subgraphs that also resolve it (entity keys, shared types)."
    sharedWith: [String!]!
    "Whether you (the principal asking) may read it, under the policy enforced now; null when that cannot be decided now."
    yourAccess: DataProductFieldAccess
  }

  "One authorization rule on a field."
  type DataProductFieldRule {
    "Where the rule comes from: global:..., <domain>:..., directive:..."
    label: String!
    "The rule, as written in the policies (for example hasScope(pii:read))."
    rule: String!
  }

  "An official operation: a reviewed document dashboards and applications run by id."
  type DataProductOperation {
    "sha256 of the document: run it with documentId or extensions.persistedQuery.sha256Hash."
    id: ID!
    "The operation's name."
    name: String!
    "query, mutation or subscription."
    type: String!
    "The owning domain, or platform."
    owner: String!
    "What it is for."
    description: String!
    "Its file under operations/."
    file: String!
    "The roles it is meant for."
    roles: [String!]!
    "This product's fields it uses (Type.field)."
    fields: [String!]!
  }

  "An example operation."
  type DataProductExample {
    "What it shows."
    title: String!
    "The operation."
    query: String!
    "The fields of the operation you (the principal asking) may not read, as Type.field: empty when you can run it as it is."
    fieldsDeniedToYou: [String!]!
  }

  "Whether the principal asking may read a field."
  type DataProductFieldAccess {
    "YES; NO (then rule and reason say why); PER_ROW: decided on each record (a row-level rule)."
    readable: DataProductReadability!
    "The rule that denies it (NO), or the row-level rules that decide it (PER_ROW, comma-separated)."
    rule: String
    "Why it is denied (NO)."
    reason: String
  }

  "How a field is readable."
  enum DataProductReadability {
    "Readable on every record."
    YES
    "Denied: FORBIDDEN at the field."
    NO
    "Decided on each record after it is fetched."
    PER_ROW
  }
`),
  modelCardTypeDefs,
]);

/** Every object type of the catalog schema, for policies and tests. */
export const CATALOG_TYPES = catalogTypeDefs.definitions.flatMap((definition) =>
  definition.kind === 'ObjectTypeDefinition' && definition.name.value !== 'Query' ? [definition.name.value] : [],
);
