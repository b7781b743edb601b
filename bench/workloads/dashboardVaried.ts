/**
 * The dashboard with different variables on every request: 100 orders placed
 * from a random day of the two years the seed data covers. A response cache
 * almost never hits; the entities behind the orders (customers, campaigns,
 * carriers, and the payments and shipments of orders seen before) do.
 */
import { dashboardRequest } from './dashboard';
import type { Workload } from './workload';

/** The seed data's orders span 2024-11-01 to 2026-10-31. */
const FIRST_DAY = Date.UTC(2024, 10, 1);
const DAYS = 720;
const DAY_MS = 86_400_000;

const fromDay = (day: number) => dashboardRequest(100, { placedFrom: new Date(FIRST_DAY + day * DAY_MS).toISOString() });

export function dashboardVaried(): Workload {
  return {
    name: 'dashboard-varied',
    description: 'the dashboard (100 orders, 5 subgraphs) placed from a random day of two years: 720 variable sets',
    samples: [fromDay(0), fromDay(365)],
    next: (random) => fromDay(random.int(0, DAYS - 1)),
  };
}
