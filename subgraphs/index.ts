/** Every domain's data product, in the order they are started and seeded. */
import type { SubgraphDefinition } from './lib/subgraph';
import { customers } from './customers';
import { products } from './products';
import { sales } from './sales';
import { marketing } from './marketing';
import { finance } from './finance';
import { logistics } from './logistics';

export const domains: SubgraphDefinition<any>[] = [customers, products, sales, marketing, finance, logistics];

/** The port each domain listens on when `npm start` runs the mesh locally. */
export const DEFAULT_PORTS: Record<string, number> = {
  customers: 4001,
  products: 4002,
  sales: 4003,
  marketing: 4004,
  finance: 4005,
  logistics: 4006,
};

export function domainNamed(name: string): SubgraphDefinition<any> {
  const found = domains.find((domain) => domain.name === name);
  if (!found) throw new Error(`Unknown domain "${name}"; known domains: ${domains.map((d) => d.name).join(', ')}`);
  return found;
}
