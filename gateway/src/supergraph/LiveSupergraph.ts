/**
 * A supergraph that follows its subgraphs while the gateway runs: an
 * @apollo/gateway SupergraphManager that composes at start, then polls every
 * subgraph's schema (`_service { sdl }`) and data-product status, and
 * recomposes (with the lifecycle rules of lifecycle.ts) when either changed, or
 * when a subgraph is registered at a new URL.
 *
 * Contract:
 * - a change that does not compose is refused: the composition errors are logged
 *   (once per distinct change) and the last good supergraph keeps serving; the
 *   same change seen again (a poll, a retried registration) is refused again,
 *   never taken for "unchanged", and a refused registration leaves no trace;
 * - composition runs in a worker thread (CompositionThread.ts), never on the
 *   request path: /health and requests are answered while it runs;
 * - a subgraph that cannot be reached during a poll keeps its last known schema
 *   and descriptor: an outage never removes fields from the graph;
 * - one refresh at a time; polls that come due while one runs are skipped;
 * - a failure to compose at start fails the start, with every error listed.
 */
import type { SupergraphManager } from '@apollo/gateway';
import { parse, print, type DocumentNode } from 'graphql';
import { CompositionError } from '../../../schema/compose';
import { CompositionThread } from './CompositionThread';
import type { DataProductDescriptor } from '../../../subgraphs/lib/descriptor';
import type { Logger } from '../logger';
import { planLifecycle, type LifecyclePlan, type SubgraphSnapshot } from './lifecycle';
import { withSecurityEnforcedByMeshgate } from './securityFeatures';
import { fetchDataProductStatus, fetchSubgraphSchema, type SubgraphClientOptions } from './subgraphClient';

type SupergraphSdlHookOptions = Parameters<SupergraphManager['initialize']>[0];

export type SupergraphEndpoint = { name: string; url: string };

export type LiveSupergraphOptions = {
  mode: 'development' | 'production';
  subgraphs: SupergraphEndpoint[];
  /**
   * A subgraph's schema for the first composition, instead of fetching it (compose mode: the local
   * domain's schema.graphql); its descriptor is then `localDescriptor`'s. Polls read both from the subgraph.
   */
  localTypeDefs?(name: string): DocumentNode | undefined;
  /** The descriptor that goes with a local schema, or of a subgraph whose status cannot be read (compose mode: the local dataproduct.yaml). */
  localDescriptor?(name: string): DataProductDescriptor | null;
  /** Subgraphs the gateway serves itself (the catalog): always composed, never polled. */
  builtIn?: SubgraphSnapshot[];
  /** Poll the subgraphs this often; no polling when undefined. */
  pollIntervalMs?: number;
  client: SubgraphClientOptions;
  logger: Logger;
};

export type SupergraphState = {
  supergraphSdl: string;
  /** Every subgraph with its schema and descriptor, including those the lifecycle left out. */
  snapshots: SubgraphSnapshot[];
  plan: LifecyclePlan;
  composedAt: Date;
};

export type RefreshOutcome = { kind: 'unchanged' } | { kind: 'updated'; changed: string[] } | { kind: 'refused'; errors: string[] };

/** The schema's text: as served when fetched, else printed once and kept. */
const sdlOf = (snapshot: SubgraphSnapshot) => (snapshot.sdl ??= print(snapshot.typeDefs));

export class LiveSupergraph implements SupergraphManager {
  private readonly endpoints: Map<string, string>;
  private readonly builtIn: SubgraphSnapshot[];
  private readonly logger: Logger;
  private state?: SupergraphState;
  private update?: SupergraphSdlHookOptions['update'];
  private timer?: NodeJS.Timeout;
  private queue: Promise<unknown> = Promise.resolve();
  private polling = false;
  /** What the served supergraph was composed from (see `fingerprintOf`). */
  private servedFingerprint?: string;
  /** The last candidate that was refused, and why: seen again, it is refused again without composing or logging. */
  private refusedCandidate?: { fingerprint: string; errors: string[] };
  private readonly composer = new CompositionThread();
  private readonly unreachable = new Map<string, string>();
  /** The last change that was refused, for operators and tests. */
  lastRefusal?: { at: Date; errors: string[] };

  constructor(private readonly options: LiveSupergraphOptions) {
    this.endpoints = new Map(options.subgraphs.map(({ name, url }) => [name, url]));
    this.builtIn = options.builtIn ?? [];
    this.logger = options.logger.child({ component: 'supergraph' });
  }

  async initialize({ update }: SupergraphSdlHookOptions) {
    this.update = update;
    const snapshots = await this.loadInitial();
    const plan = planLifecycle([...snapshots, ...this.builtIn], this.options.mode);
    const outcome = await this.compose(plan, [...snapshots, ...this.builtIn]);
    if (!outcome.ok) {
      await this.composer.close();
      throw new CompositionError(outcome.errors);
    }
    this.state = { supergraphSdl: outcome.supergraphSdl, snapshots: [...snapshots, ...this.builtIn], plan, composedAt: new Date() };
    this.logLifecycle(plan);
    if (this.options.pollIntervalMs) {
      const poll = () => {
        if (!this.polling) this.refresh().catch((error) => this.logger.error({ err: error }, 'polling the subgraphs failed'));
      };
      this.timer = setInterval(poll, this.options.pollIntervalMs);
      this.timer.unref();
      // The first poll at once: local schemas are printed differently from what a subgraph serves, and a
      // registration queued behind that first look reports only the subgraph it changed.
      setImmediate(poll);
    }
    return { supergraphSdl: withSecurityEnforcedByMeshgate(outcome.supergraphSdl), cleanup: async () => this.stop() };
  }

  /** The supergraph being served and what it was composed from. */
  get current(): SupergraphState {
    if (!this.state) throw new Error('the supergraph is not composed yet');
    return this.state;
  }

  /** Subgraphs the lifecycle left out of the current supergraph (draft or retired products). */
  inactiveSubgraphs(): string[] {
    return this.state?.plan.excluded.map((excluded) => excluded.subgraph) ?? [];
  }

  /** Polls every subgraph now and recomposes if anything changed. */
  refresh(): Promise<RefreshOutcome> {
    return this.serialize(() => this.poll());
  }

  /** Adds a subgraph, or moves one to a new URL; refused (and forgotten) when the result does not compose. */
  register(name: string, url: string): Promise<RefreshOutcome> {
    return this.serialize(async () => {
      if (this.builtIn.some((subgraph) => subgraph.name === name)) return { kind: 'refused', errors: [`"${name}" is served by the gateway itself`] };
      const previousUrl = this.endpoints.get(name);
      this.endpoints.set(name, url);
      const outcome = await this.poll();
      if (outcome.kind === 'refused') {
        if (previousUrl) this.endpoints.set(name, previousUrl);
        else this.endpoints.delete(name);
      }
      return outcome;
    });
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    void this.composer.close();
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async loadInitial(): Promise<SubgraphSnapshot[]> {
    const problems: string[] = [];
    const snapshots = await Promise.all(
      [...this.endpoints].map(async ([name, url]) => {
        // A local schema comes with its local descriptor: the first composition needs no subgraph to be up.
        const local = this.options.localTypeDefs?.(name);
        const [schema, status] = local ? [null, null] : await Promise.all([fetchSubgraphSchema(name, url, this.options.client), fetchDataProductStatus(name, url, this.options.client)]);
        if (schema && !schema.ok) problems.push(`${name} (${url}): ${schema.reason}`);
        const typeDefs = local ?? (schema?.ok ? parse(schema.value.sdl) : undefined);
        const descriptor = status?.ok ? status.value.descriptor : this.options.localDescriptor?.(name) ?? null;
        return typeDefs ? [{ name, url, typeDefs, descriptor, ...(schema?.ok ? { sdl: schema.value.sdl } : {}) }] : [];
      }),
    );
    if (problems.length) throw new Error(`Cannot load the schema of every subgraph:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    return snapshots.flat();
  }

  private async poll(): Promise<RefreshOutcome> {
    this.polling = true;
    try {
      return await this.recompose(await this.fetchCandidate());
    } finally {
      this.polling = false;
    }
  }

  /** The latest schema and descriptor of every subgraph, the last known ones for those that did not answer. */
  private async fetchCandidate(): Promise<{ snapshots: SubgraphSnapshot[]; problems: string[] }> {
    const known = new Map(this.current.snapshots.map((snapshot) => [snapshot.name, snapshot]));
    const problems: string[] = [];
    const fetched = await Promise.all(
      [...this.endpoints].map(async ([name, url]) => {
        const [schema, status] = await Promise.all([fetchSubgraphSchema(name, url, this.options.client), fetchDataProductStatus(name, url, this.options.client)]);
        this.noteReachability(name, url, schema.ok ? null : schema.reason);
        const before = known.get(name);
        const kept = before?.url === url ? before : undefined;
        if (!schema.ok && !kept) {
          problems.push(`${name} (${url}): cannot fetch its schema: ${schema.reason}`);
          return [];
        }
        // Parsed only when the text changed: most polls see the same schema.
        const unchanged = schema.ok && kept && sdlOf(kept) === schema.value.sdl;
        let typeDefs: DocumentNode;
        try {
          typeDefs = schema.ok && !unchanged ? parse(schema.value.sdl) : kept!.typeDefs;
        } catch (error) {
          problems.push(`${name} (${url}): its schema does not parse: ${(error as Error).message}`);
          return [];
        }
        const sdl = schema.ok ? schema.value.sdl : sdlOf(kept!);
        const descriptor = status.ok ? status.value.descriptor : before?.descriptor ?? this.options.localDescriptor?.(name) ?? null;
        return [{ name, url, typeDefs, sdl, descriptor }];
      }),
    );
    return { snapshots: fetched.flat(), problems };
  }

  /** Composes in the worker thread, handing it each schema's text as fetched where the lifecycle left the schema as it was. */
  private compose(plan: LifecyclePlan, snapshots: SubgraphSnapshot[]) {
    const byName = new Map(snapshots.map((snapshot) => [snapshot.name, snapshot]));
    return this.composer.compose(
      plan.subgraphs.map((subgraph) => {
        const snapshot = byName.get(subgraph.name);
        return snapshot?.typeDefs === subgraph.typeDefs ? { ...subgraph, sdl: sdlOf(snapshot) } : subgraph;
      }),
    );
  }

  private async recompose({ snapshots, problems }: { snapshots: SubgraphSnapshot[]; problems: string[] }): Promise<RefreshOutcome> {
    if (problems.length) {
      this.logger.error({ errors: problems }, 'supergraph update refused: a subgraph could not be read; the last good supergraph keeps serving');
      this.lastRefusal = { at: new Date(), errors: problems };
      return { kind: 'refused', errors: problems };
    }
    const fingerprint = JSON.stringify(snapshots.map((snapshot) => [snapshot.name, snapshot.url, sdlOf(snapshot), snapshot.descriptor]));
    if (fingerprint === this.servedFingerprint) return { kind: 'unchanged' };
    // Refused before: still refused (logged once). Never "unchanged", or a retried registration would be accepted.
    if (fingerprint === this.refusedCandidate?.fingerprint) return { kind: 'refused', errors: this.refusedCandidate.errors };

    const previous = this.current;
    const before = new Map(previous.snapshots.map((snapshot) => [snapshot.name, snapshot]));
    const changed = snapshots
      .filter((snapshot) => {
        const old = before.get(snapshot.name);
        return !old || old.url !== snapshot.url || sdlOf(old) !== sdlOf(snapshot) || JSON.stringify(old.descriptor) !== JSON.stringify(snapshot.descriptor);
      })
      .map((snapshot) => snapshot.name);
    const plan = planLifecycle([...snapshots, ...this.builtIn], this.options.mode);
    const outcome = await this.compose(plan, [...snapshots, ...this.builtIn]);
    if (!outcome.ok) {
      this.logger.error({ errors: outcome.errors, changed }, 'supergraph update refused: the subgraphs do not compose; the last good supergraph keeps serving');
      this.lastRefusal = { at: new Date(), errors: outcome.errors };
      this.refusedCandidate = { fingerprint, errors: outcome.errors };
      return { kind: 'refused', errors: outcome.errors };
    }
    const next: SupergraphState = { supergraphSdl: outcome.supergraphSdl, snapshots: [...snapshots, ...this.builtIn], plan, composedAt: new Date() };
    if (outcome.supergraphSdl === previous.supergraphSdl) {
      // Same graph; descriptors may still have changed (owner, SLA), which the catalog shows.
      this.state = { ...next, composedAt: previous.composedAt };
      this.servedFingerprint = fingerprint;
      return { kind: 'unchanged' };
    }
    // Set first: @apollo/gateway notifies its listeners (policies, catalog) synchronously inside update().
    this.state = next;
    try {
      this.update!(withSecurityEnforcedByMeshgate(outcome.supergraphSdl));
    } catch (error) {
      // Not remembered as refused: the gateway's refusal may depend on more than these schemas.
      this.state = previous;
      this.logger.error({ err: error, changed }, 'supergraph update refused by the gateway; the last good supergraph keeps serving');
      this.lastRefusal = { at: new Date(), errors: [(error as Error).message] };
      return { kind: 'refused', errors: [(error as Error).message] };
    }
    this.servedFingerprint = fingerprint;
    this.logger.info({ changed }, 'supergraph updated');
    this.logLifecycle(plan);
    return { kind: 'updated', changed };
  }

  private noteReachability(name: string, url: string, problem: string | null) {
    const known = this.unreachable.get(name);
    if (problem && known === undefined) this.logger.warn({ subgraph: name, url, problem }, 'subgraph schema unreachable; keeping its last known schema');
    if (!problem && known !== undefined) this.logger.info({ subgraph: name, url }, 'subgraph schema reachable again');
    if (problem) this.unreachable.set(name, problem);
    else this.unreachable.delete(name);
  }

  private logLifecycle(plan: LifecyclePlan) {
    for (const { subgraph, product, status } of plan.excluded) this.logger.info({ subgraph, product, status }, `data product ${product} is ${status}: left out of the supergraph`);
    const deprecatedProducts = new Set([...plan.deprecated.values()].map((field) => field.product));
    for (const product of deprecatedProducts) this.logger.info({ product }, `data product ${product} is deprecated: its fields are marked deprecated`);
  }
}
