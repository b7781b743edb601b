/** The dashboard query at 10, 100 and 1,000 orders: how cost grows with the size of the answer. */
import { dashboardRequest } from './dashboard';
import type { Workload } from './workload';

export const SCALING_SIZES = [10, 100, 1000];

export function scaling(size: number): Workload {
  return {
    name: `scaling-${size}`,
    description: `the dashboard query at ${size.toLocaleString('en-US')} orders`,
    samples: [dashboardRequest(size)],
  };
}
