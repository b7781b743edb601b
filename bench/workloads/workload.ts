/**
 * What a workload is: the GraphQL requests one benchmark run sends.
 *
 * Contract: `samples` are fixed requests, checked against the baseline's answer
 * before every timed run and sent once through the counting probe; `next` draws
 * the request stream from a generator seeded the same way for every
 * configuration, so each configuration sees the same sequence. A workload
 * without `next` sends its samples in turn.
 */
import type { Random } from '../../subgraphs/lib/random';
import type { Counts } from '../../subgraphs/lib/scenario';

export type GraphQLRequest = { query: string; variables?: Record<string, unknown>; operationName?: string };

export type Workload = {
  name: string;
  description: string;
  samples: GraphQLRequest[];
  next?: (random: Random) => GraphQLRequest;
  /** Connections this workload always uses, whatever --connections says (a workload about many clients at once). */
  connections?: number;
};

/** Builds a workload for the seeded data (how many customers and orders there are). */
export type WorkloadFactory = (counts: Counts) => Workload;
