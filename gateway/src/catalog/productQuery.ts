/**
 * The one query that describes a data product in full, asked by the catalog
 * page (page/catalog.js, which fetches it from PRODUCT_QUERY_PATH) and by the
 * MCP describe_data_product tool (mcp/catalogTools.ts), so a person and an
 * assistant are told the same things: owner, SLA, freshness, quality, the
 * fields with their guards and whether the caller may read each (yourAccess,
 * the enforced policy's decision), the official operations, examples and
 * model cards.
 *
 * Must never: take anything but the product's id from the caller (both run it
 * as the gateway's own document, with only that variable).
 */
export const PRODUCT_QUERY = /* GraphQL */ `query CatalogProduct($id: ID!) {
  dataProduct(id: $id) {
    id name domain subgraph version status inSupergraph tags
    deprecation { reason replacedBy sunset }
    owner { team contact }
    description { purpose limitations usage }
    termsOfUse { summary url }
    sla { availability latencyP95Ms freshness retention available met breaches }
    freshness { newestRecordAt lagSeconds targetSeconds met measuredOn checkedAt problem }
    quality { ranAt score passed failedRules rules { name type severity description passed observed message } }
    types { name kind description fields { coordinate name type description pii deprecationReason sharedWith guardedBy { label rule } yourAccess { readable rule reason } } }
    piiFields { coordinate pii guardedBy { label rule } }
    exampleQueries { title query fieldsDeniedToYou }
    officialOperations { id name type owner description file roles fields }
    models { name version trainedAt algorithm file features threshold training heldOut { name value }
      qualityRules { name passed severity observed message figures { name value } } }
  }
}`;

/** Where the catalog page reads the query from (catalogRoutes.ts serves it). */
export const PRODUCT_QUERY_PATH = '/catalog/product.graphql';
