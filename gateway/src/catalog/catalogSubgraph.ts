/**
 * The catalog subgraph: a real federation subgraph (buildSubgraphSchema) that
 * the gateway serves itself, in-process, on an ephemeral local port, and
 * composes with the domains like any other. Requests reach it through the
 * query plan, so the mesh's authorization, limits, cache and audit apply to the
 * catalog as to every other field.
 *
 * Contract: like every subgraph, it answers only requests the gateway signed;
 * it listens on 127.0.0.1 only; a product's live status is fetched at most once
 * per request, and only when a field that needs it is asked for.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { executeApolloRequest, HttpError, readBody, sendGraphQLError } from '../../../subgraphs/lib/http';
import { SignedRequestVerifier, type SignedPrincipal } from '../../../subgraphs/lib/signing';
import type { FieldAccess, FieldAccessReader } from '../authorization/fieldAccess';
import { parseIsoDuration } from '../../../subgraphs/lib/descriptor';
import type { QualityReport, QualityResult } from '../../../subgraphs/lib/quality';
import type { SubgraphSnapshot } from '../supergraph/lifecycle';
import { slaNow, type Catalog, type CatalogFilter, type FieldView, type ProductView } from './Catalog';
import { CATALOG_SUBGRAPH, catalogTypeDefs } from './catalogSchema';
import { modelCardResolvers, modelCardsOf } from './modelCards';

type Context = {
  catalog: Catalog;
  statuses: Map<string, ReturnType<Catalog['status']>>;
  /** Who asks (from the gateway's signature): the catalog tells them which fields and examples they may read. */
  principal: SignedPrincipal;
  access?: FieldAccessReader | null;
};

/** One reader per request: each field's decision for this principal is made once. */
const accessOf = (context: Context) => {
  if (context.access === undefined) context.access = context.catalog.accessFor(context.principal) ?? null;
  return context.access;
};

const accessView = (access: FieldAccess) =>
  access.readable === 'yes'
    ? { readable: 'YES', rule: null, reason: null }
    : access.readable === 'no'
      ? { readable: 'NO', rule: access.rule, reason: access.reason }
      : { readable: 'PER_ROW', rule: access.rules.join(', '), reason: null };

/** One status fetch per product per request, however many fields need it. */
const statusOf = (product: ProductView, context: Context) => {
  let status = context.statuses.get(product.subgraph);
  if (!status) context.statuses.set(product.subgraph, (status = context.catalog.status(product)));
  return status;
};

const resultView = (result: QualityResult) => ({
  name: result.rule,
  type: result.type,
  severity: result.severity,
  description: result.description ?? null,
  passed: result.passed,
  observed: result.observed === null ? null : String(result.observed),
  message: result.message,
  figures: result.figures ?? [],
});

const qualityView = (report: QualityReport) => ({
  ranAt: report.ranAt,
  score: report.score,
  passed: report.passed,
  failedRules: report.failedRules,
  rules: report.results.map(resultView),
});

export const catalogResolvers = {
  ...modelCardResolvers,
  Query: {
    dataProducts: (_: unknown, filter: CatalogFilter, { catalog }: Context) => catalog.list(filter),
    dataProduct: (_: unknown, { id }: { id: string }, { catalog }: Context) => catalog.get(id),
  },
  DataProduct: {
    id: (product: ProductView) => product.descriptor.id,
    name: (product: ProductView) => product.descriptor.name,
    domain: (product: ProductView) => product.descriptor.domain,
    version: (product: ProductView) => product.descriptor.version,
    status: (product: ProductView) => product.descriptor.status.toUpperCase(),
    deprecation: (product: ProductView) => product.descriptor.deprecation ?? null,
    owner: (product: ProductView) => product.descriptor.owner,
    description: (product: ProductView) => product.descriptor.description,
    tags: (product: ProductView) => product.descriptor.tags,
    termsOfUse: (product: ProductView) => product.descriptor.termsOfUse,
    sla: async (product: ProductView, _: unknown, context: Context) => ({ ...product.descriptor.sla, ...slaNow(product, await statusOf(product, context)) }),
    freshness: async (product: ProductView, _: unknown, context: Context) => {
      const status = await statusOf(product, context);
      if (!status.ok) {
        const targetSeconds = parseIsoDuration(product.descriptor.sla.freshness)! / 1000;
        return { newestRecordAt: null, lagSeconds: null, targetSeconds, met: null, measuredOn: [], checkedAt: null, problem: `unknown: ${status.reason}` };
      }
      return { ...status.value.freshness, checkedAt: status.value.checkedAt, problem: status.value.freshness.problem ?? null };
    },
    quality: async (product: ProductView, _: unknown, context: Context) => {
      const status = await statusOf(product, context);
      return status.ok && status.value.quality ? qualityView(status.value.quality) : null;
    },
    types: (product: ProductView) => product.types,
    piiFields: (product: ProductView) => product.types.flatMap((type) => type.fields.filter((field) => field.pii)),
    exampleQueries: async (product: ProductView, _: unknown, context: Context) => {
      const access = accessOf(context);
      const examples = await context.catalog.examples(product);
      return Promise.all(examples.map(async (example) => ({ ...example, fieldsDeniedToYou: access ? await context.catalog.fieldsDeniedIn(example.query, access) : [] })));
    },
    models: async (product: ProductView, _: unknown, context: Context) => {
      if (!product.descriptor.models.length) return [];
      const status = await statusOf(product, context);
      const results = status.ok && status.value.quality ? status.value.quality.results : null;
      return modelCardsOf(product.descriptor.models, product.descriptor.quality.rules, results).map((card) => ({ ...card, qualityRules: card.qualityRules.map(resultView) }));
    },
    officialOperations: (product: ProductView) =>
      product.officialOperations.map(({ operation: { id, name, type, owner, description, file, roles }, fields }) => ({ id, name, type, owner, description, file, roles, fields })),
  },
  DataProductField: {
    guardedBy: (field: FieldView, _: unknown, { catalog }: Context) => catalog.guardsOf(field),
    yourAccess: async (field: FieldView, _: unknown, context: Context) => {
      const access = accessOf(context);
      return access ? accessView(await access.of(field.typeName, field.name)) : null;
    },
  },
};

/** Without a verifier (no signing keys given) nothing says who asks: the catalog answers as for anonymous. */
const UNSIGNED: SignedPrincipal = { id: 'anonymous', kind: 'anonymous', roles: [], scopes: [], domains: [] };

export type CatalogSubgraph = { snapshot: SubgraphSnapshot; url: string; stop(): Promise<void> };

/**
 * Serves the catalog subgraph on 127.0.0.1 at an ephemeral port, accepting only requests signed for "catalog"
 * with one of `gatewayPublicKeys`' private keys, once each (signing.ts).
 */
export async function startCatalogSubgraph(catalog: Catalog, options: { gatewayPublicKeys?: readonly string[] }): Promise<CatalogSubgraph> {
  const verifier = options.gatewayPublicKeys ? new SignedRequestVerifier({ audience: CATALOG_SUBGRAPH, publicKeys: options.gatewayPublicKeys }) : undefined;
  const apollo = new ApolloServer<Context>({
    schema: buildSubgraphSchema([{ typeDefs: catalogTypeDefs, resolvers: catalogResolvers as never }]),
    // The process owns SIGTERM/SIGINT and stops in order; Apollo's own handler would stop this server first.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: false,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const server: Server = createServer(async (req, res) => {
    try {
      const body = await readBody(req, 1024 * 1024);
      let principal: SignedPrincipal = UNSIGNED;
      if (verifier) {
        const verdict = verifier.verify({ headers: req.headers, body });
        if (!verdict.ok) throw new HttpError(401, 'UNAUTHENTICATED', `The catalog subgraph accepts only requests signed by the gateway: ${verdict.message}`);
        if (req.method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'The catalog subgraph accepts signed requests by POST only');
        principal = verdict.principal;
      }
      await executeApolloRequest(apollo, req, res, body, async () => ({ catalog, statuses: new Map(), principal }));
    } catch (error) {
      if (error instanceof HttpError) return sendGraphQLError(res, error);
      if (!res.headersSent) sendGraphQLError(res, new HttpError(500, 'INTERNAL_SERVER_ERROR', 'Unexpected error in the catalog subgraph'));
      else res.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    url,
    snapshot: { name: CATALOG_SUBGRAPH, url, typeDefs: catalogTypeDefs, descriptor: null },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await apollo.stop();
    },
  };
}
