/**
 * The Grafana dashboard in the repository (docs/grafana/meshgate.json) is
 * built on metrics the gateway exports: every metric name its queries and
 * variables reference is in /metrics of a running mesh (the entity cache on,
 * as the dashboard's cache panel assumes), so a renamed metric fails here
 * rather than as an empty panel in production.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ADMIN } from './principals';

jest.setTimeout(120_000);

type Dashboard = { panels: { type: string; targets?: { expr: string }[] }[]; templating: { list: { query?: unknown }[] } };
const dashboard = JSON.parse(readFileSync(join(__dirname, '..', 'docs', 'grafana', 'meshgate.json'), 'utf8')) as Dashboard;

let mesh: TestMesh;
let exported: Set<string>;

beforeAll(async () => {
  mesh = await startMesh({ gateway: { cache: { responseCache: { enabled: false }, entityCache: { enabled: true }, dedupe: { enabled: false } } } });
  await mesh.query('{ orders(first: 2) { edges { node { id customer { segment } } } } }', undefined, await tokenFor(ADMIN));
  const text = await (await fetch(mesh.gateway.url.replace('/graphql', '/metrics'))).text();
  exported = new Set();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    exported.add(name);
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) exported.add(name + suffix);
  }
});

afterAll(() => mesh.stop());

const expressions = () => [
  ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr)),
  ...dashboard.templating.list.flatMap((variable) => (typeof variable.query === 'object' && variable.query ? [(variable.query as { query: string }).query] : [])),
];

test('the dashboard has panels with queries on meshgate metrics', () => {
  expect(dashboard.panels.filter((panel) => panel.type !== 'row').length).toBeGreaterThanOrEqual(12);
  for (const expr of expressions()) expect(expr).toMatch(/meshgate_/);
});

test('every metric name the dashboard references is exported by /metrics', () => {
  const referenced = new Set(expressions().flatMap((expr) => expr.match(/\bmeshgate_[a-z0-9_]+/g) ?? []));
  expect(referenced.size).toBeGreaterThanOrEqual(12);
  const missing = [...referenced].filter((name) => !exported.has(name));
  expect(missing).toEqual([]);
});
