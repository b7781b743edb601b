/**
 * The catalog's HTTP routes on the gateway:
 *
 * - `GET /catalog` (and its script and stylesheet): the catalog page, static
 *   files that query `dataProducts` / `dataProduct(id)` on /graphql with the
 *   user's token, so the page shows exactly what the mesh's policies allow;
 *   `GET /catalog/product.graphql`: the product query it asks, the one the MCP
 *   describe tool asks too (productQuery.ts);
 * - `POST /catalog/quality/run?product=<id>`: runs a product's quality rules now,
 *   inside its subgraph. The principal must belong to the product's domain or
 *   hold the `quality:run` scope; the subgraph checks the signed principal again.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DataProductRequestError, QUALITY_RUN_PATH, QUALITY_RUN_SCOPE, requestDataProduct } from '../../../subgraphs/lib/dataProductApi';
import { HttpError, sendJson } from '../../../subgraphs/lib/http';
import type { QualityReport } from '../../../subgraphs/lib/quality';
import type { MeshContext } from '../context';
import type { Route } from '../http/server';
import { RouteRefused, requireCredentials } from '../http/requireCredentials';
import type { Logger } from '../logger';
import type { Catalog } from './Catalog';
import { PRODUCT_QUERY, PRODUCT_QUERY_PATH } from './productQuery';
import type { StatusCache } from './StatusCache';

export const CATALOG_PAGE_PATH = '/catalog';
export const QUALITY_RUN_ROUTE = '/catalog/quality/run';
/** Quality rules scan whole tables: give them longer than a query. */
const QUALITY_RUN_TIMEOUT_MS = 120_000;

const PAGE_DIR = join(__dirname, 'page');
const PAGE_FILES: Record<string, { file: string; type: string }> = {
  [CATALOG_PAGE_PATH]: { file: 'catalog.html', type: 'text/html; charset=utf-8' },
  [`${CATALOG_PAGE_PATH}/catalog.js`]: { file: 'catalog.js', type: 'text/javascript; charset=utf-8' },
  [`${CATALOG_PAGE_PATH}/catalog.css`]: { file: 'catalog.css', type: 'text/css; charset=utf-8' },
};

/** The page, its script, its stylesheet and its product query; read once, served with a strict content security policy (no inline script, nothing from elsewhere). */
export function catalogPageRoutes(): Route[] {
  const files = Object.entries(PAGE_FILES).map(([path, { file, type }]) => [path, type, () => readFileSync(join(PAGE_DIR, file))] as const);
  const query = [PRODUCT_QUERY_PATH, 'text/plain; charset=utf-8', () => Buffer.from(PRODUCT_QUERY)] as const;
  return [...files, query].map(([path, type, read]) => {
    let content: Buffer | undefined;
    return {
      method: 'GET' as const,
      path,
      async handle(_req: IncomingMessage, res: ServerResponse) {
        content ??= read();
        res.writeHead(200, {
          'content-type': type,
          'content-length': content.length,
          'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
          'x-content-type-options': 'nosniff',
          'cache-control': 'no-cache',
        });
        res.end(content);
      },
    };
  });
}

export type QualityRunRouteOptions = {
  catalog: Catalog;
  statuses: StatusCache;
  /** The gateway's private key (PEM or JWK text) that signs the request to the subgraph. */
  signingKey?: string;
  logger: Logger;
  /** The same identification as /graphql (JWT or API key). */
  createContext(req: IncomingMessage): Promise<MeshContext>;
};

export function qualityRunRoute(options: QualityRunRouteOptions): Route {
  const { catalog, logger } = options;
  return {
    method: 'POST',
    path: QUALITY_RUN_ROUTE,
    async handle(req: IncomingMessage, res: ServerResponse) {
      req.resume();
      const context = await requireCredentials(req, res, options.createContext, QUALITY_RUN_ROUTE);
      if (!context) return;
      const { principal } = context;
      const id = new URL(req.url ?? '/', 'http://localhost').searchParams.get('product');
      if (!id) throw new HttpError(400, 'BAD_REQUEST', `Name the data product: ${QUALITY_RUN_ROUTE}?product=<id>`);
      const product = catalog.get(id);
      if (!product) throw new HttpError(404, 'NOT_FOUND', `No data product "${id}"; known: ${catalog.all().map((p) => p.descriptor.id).join(', ')}`);
      const { domain } = product.descriptor;
      if (!principal.domains.includes(domain) && !principal.scopes.includes(QUALITY_RUN_SCOPE)) {
        throw new RouteRefused(context, `domain ${domain} or scope ${QUALITY_RUN_SCOPE}`, `Running the ${id} quality rules requires membership of the ${domain} domain or the ${QUALITY_RUN_SCOPE} scope`);
      }
      let report: QualityReport;
      try {
        report = await requestDataProduct<QualityReport>(product.url, QUALITY_RUN_PATH, { subgraph: product.subgraph, signingKey: options.signingKey, principal, timeoutMs: QUALITY_RUN_TIMEOUT_MS });
      } catch (error) {
        const failure = error as DataProductRequestError;
        throw new HttpError(502, 'SUBGRAPH_UNAVAILABLE', `The ${product.subgraph} subgraph could not run the quality rules: ${failure.status ? `HTTP ${failure.status}: ` : ''}${failure.message}`);
      } finally {
        options.statuses.invalidate(product.subgraph);
      }
      logger.info({ product: id, principal: principal.id, score: report.score, failedRules: report.failedRules, requestId: context.requestId }, 'quality rules run on demand');
      sendJson(res, 200, report, { 'cache-control': 'no-store' });
    },
  };
}
