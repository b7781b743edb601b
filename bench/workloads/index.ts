/** Every workload, by the name `--workload` takes; `scaling` stands for its three sizes, `all` for everything. */
import { randomFor } from '../../subgraphs/lib/random';
import type { Counts } from '../../subgraphs/lib/scenario';
import { dashboard } from './dashboard';
import { dashboardVaried } from './dashboardVaried';
import { hops } from './hops';
import { largeList } from './largeList';
import { lookup } from './lookup';
import { mixed } from './mixed';
import { sameQuery } from './sameQuery';
import { scaling, SCALING_SIZES } from './scaling';
import type { GraphQLRequest, Workload } from './workload';

export type { GraphQLRequest, Workload } from './workload';

export function allWorkloads(counts: Counts): Workload[] {
  return [dashboard(), lookup(counts), largeList(), mixed(counts), dashboardVaried(), sameQuery(), hops(), ...SCALING_SIZES.map(scaling)];
}

/** What a plain `npm run bench` runs; `--workload cache` adds the caching workloads, `scaling` the three sizes, `all` everything. */
export const DEFAULT_WORKLOADS = 'dashboard,lookup,large-list,mixed';
/** The workloads that judge the cache layers (issue #4): warm responses, entities only, deduplication. */
export const CACHE_WORKLOADS = ['dashboard', 'dashboard-varied', 'same-query'];

/** The workloads a comma-separated `--workload` list names, in the order given. */
export function selectWorkloads(spec: string, counts: Counts): Workload[] {
  const available = allWorkloads(counts);
  const selected: Workload[] = [];
  for (const name of spec.split(',').map((part) => part.trim()).filter(Boolean)) {
    const matches =
      name === 'all'
        ? available
        : name === 'scaling'
          ? available.filter((w) => w.name.startsWith('scaling-'))
          : name === 'cache'
            ? available.filter((w) => CACHE_WORKLOADS.includes(w.name))
            : available.filter((w) => w.name === name);
    if (!matches.length) {
      throw new Error(`--workload: unknown workload "${name}"; expected a comma-separated list of ${['all', 'scaling', 'cache', ...available.map((w) => w.name)].join(', ')}`);
    }
    for (const workload of matches) if (!selected.includes(workload)) selected.push(workload);
  }
  return selected;
}

/** A run's requests: the same seed gives the same sequence, whatever the configuration. */
export function requestStream(workload: Workload, seed: number): () => GraphQLRequest {
  if (workload.next) {
    const random = randomFor(seed, `bench:${workload.name}`, 0);
    return () => workload.next!(random);
  }
  let sample = 0;
  return () => workload.samples[sample++ % workload.samples.length];
}
