/**
 * The catalog tools: search the data products, and describe one (owner, SLA,
 * live freshness, last quality results, the fields it contributes and which
 * of them the caller may read). Both read the catalog through the GraphQL
 * API (`dataProducts`, `dataProduct`, gateway/src/catalog/) as the caller, so
 * the catalog's own policy, the limits, the cache and the audit apply; the
 * per-field access is then read from the compiled policy (fieldAccess.ts).
 * Their input schemas are generated from their documents like any tool's.
 */
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { FieldAccessReader, type FieldAccess } from '../authorization/fieldAccess';
import { operationResult } from './toolResult';
import type { McpTool, ToolEnv } from './tools';
import { variablesJsonSchema } from './variablesSchema';

const SEARCH = /* GraphQL */ `query McpSearchDataProducts($search: String, $domain: String, $tag: String, $status: DataProductStatus) {
  dataProducts(search: $search, domain: $domain, tag: $tag, status: $status) {
    id name domain status version tags
    owner { team contact }
    description { purpose }
    sla { availability latencyP95Ms freshness met breaches }
    freshness { lagSeconds targetSeconds met problem }
    quality { ranAt score passed failedRules }
    officialOperations { name }
  }
}`;

const DESCRIBE = /* GraphQL */ `query McpDescribeDataProduct($id: ID!) {
  dataProduct(id: $id) {
    id name domain subgraph version status inSupergraph tags
    deprecation { reason replacedBy sunset }
    owner { team contact }
    description { purpose limitations usage }
    termsOfUse { summary url }
    sla { availability latencyP95Ms freshness retention available met breaches }
    freshness { newestRecordAt lagSeconds targetSeconds met measuredOn checkedAt problem }
    quality { ranAt score passed failedRules rules { name severity passed message } }
    types { name kind description fields { coordinate name type description pii deprecationReason guardedBy { label rule } } }
    officialOperations { name type owner description roles fields }
    exampleQueries { title query }
  }
}`;

type FieldData = { coordinate: string; name: string; access?: FieldAccess };
type ProductData = { types?: { name: string; fields: FieldData[] }[]; fieldsYouMayRead?: string };

const operationOf = (source: string) => parse(source).definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;

/** Adds to every field of the product whether the caller may read it, and a count. */
async function withAccess(product: ProductData, env: ToolEnv) {
  const reader = new FieldAccessReader(env.schema, env.policy(), env.context);
  let readable = 0;
  let total = 0;
  for (const type of product.types ?? []) {
    for (const field of type.fields) {
      field.access = await reader.of(type.name, field.name);
      total += 1;
      if (field.access.readable === 'yes') readable += 1;
    }
  }
  product.fieldsYouMayRead = `${readable} of ${total} fields readable by you without conditions; see each field's access (no: the rule and reason; per-row: decided on each record)`;
}

function catalogTool(name: string, title: string, description: string, source: string, annotate?: (data: Record<string, unknown>, env: ToolEnv) => Promise<void>): McpTool {
  const operation = operationOf(source);
  const operationName = operation.name!.value;
  return {
    definitionFor: (env) => ({ name, title, description, inputSchema: variablesJsonSchema(env.schema, operation) as never, annotations: { title, readOnlyHint: true, openWorldHint: false } }),
    async call(args, env) {
      // The catalog's documents are the gateway's own (only variables come from the caller): official by construction.
      const outcome = await env.run(env.context, name, { query: source, operationName, variables: args }, { gatewayDocument: true });
      if (annotate && outcome.data && typeof outcome.data === 'object') await annotate(outcome.data as Record<string, unknown>, env);
      return { ...operationResult(outcome, env.maxResultBytes), operationName, operationHash: outcome.operationHash };
    },
  };
}

export const SEARCH_TOOL = 'search_data_products';
export const DESCRIBE_TOOL = 'describe_data_product';
export const CATALOG_TOOLS = [SEARCH_TOOL, DESCRIBE_TOOL];

export const catalogTools = (): McpTool[] => [
  catalogTool(
    SEARCH_TOOL,
    'Search data products',
    'Finds the data products of the mesh: each with its owner, status, SLA (and whether it is met now), live freshness and last quality results. ' +
      '`search` matches words in the id, name, domain, tags, owner, purpose and the names of its types and fields; leave every argument out to list them all. ' +
      'Each lists the official operations that use it: call the tool of the same name. Use describe_data_product for a product\'s fields and which of them you may read.',
    SEARCH,
  ),
  catalogTool(
    DESCRIBE_TOOL,
    'Describe a data product',
    'One data product in full: owner and contact, purpose, limitations and usage, terms of use, SLA and whether it is met now, freshness, quality rules, ' +
      'the types and fields it contributes with the rules guarding each, whether the caller may read each field (access: yes, no with the rule and reason, ' +
      'or per-row), the official operations that use it (each is a tool of the same name) and example queries.',
    DESCRIBE,
    async (data, env) => {
      if (data.dataProduct) await withAccess(data.dataProduct as ProductData, env);
    },
  ),
];
