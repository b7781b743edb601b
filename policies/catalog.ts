/**
 * The data-product catalog's rules. The catalog is a subgraph the gateway serves
 * itself (gateway/src/catalog/); like every domain it has its own policy file.
 * Any authenticated principal may read it; anonymous principals may not, because
 * it names owners' contacts and where personal data lives. Its entry points
 * (Query.dataProducts, Query.dataProduct) are covered by the global Query.* rule.
 */
import { defineDomainPolicy } from '../gateway/src/authorization/policy';
import { CATALOG_SUBGRAPH, CATALOG_TYPES } from '../gateway/src/catalog/catalogSchema';
import { isAuthenticated } from './rules';

export default defineDomainPolicy(CATALOG_SUBGRAPH, Object.fromEntries(CATALOG_TYPES.map((type) => [type, isAuthenticated])));
