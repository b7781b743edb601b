/**
 * Many clients sending the same dashboard query at once: 128 connections,
 * one operation and variable set, one principal's token (as every workload).
 * What in-flight deduplication is for: a dashboard shown on many screens, or
 * a burst after a deploy.
 */
import { dashboardRequest } from './dashboard';
import type { Workload } from './workload';

export const SAME_QUERY_CONNECTIONS = 128;

export function sameQuery(): Workload {
  return {
    name: 'same-query',
    description: `the dashboard query (100 orders), identical, from ${SAME_QUERY_CONNECTIONS} connections at once`,
    samples: [dashboardRequest(100, { status: 'DELIVERED' })],
    connections: SAME_QUERY_CONNECTIONS,
  };
}
