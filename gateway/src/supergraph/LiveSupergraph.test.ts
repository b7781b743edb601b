/**
 * The live supergraph's contract (issue #5), against small fake subgraphs whose
 * schema the test changes: changes are composed and handed to the gateway, a
 * change that does not compose is refused and logged once, an unreachable
 * subgraph keeps its last known schema, registrations that fail are forgotten.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { LiveSupergraph } from './LiveSupergraph';

type Fake = { name: string; url: string; sdl: string; stop(): Promise<void> };

/** Answers `_service { sdl }` with whatever `sdl` is now; has no data-product status. */
async function fakeSubgraph(name: string, sdl: string): Promise<Fake> {
  const server: Server = createServer((req, res) => {
    req.resume();
    if (req.url !== '/graphql') return void res.writeHead(404).end('{}');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { _service: { sdl: fake.sdl } } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake: Fake = {
    name,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    sdl,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  return fake;
}

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])';
const fakes: Fake[] = [];
let logs: { level: number; msg: string; [key: string]: unknown }[];
let updates: string[];

async function liveOver(...subgraphs: [string, string][]) {
  for (const [name, sdl] of subgraphs) fakes.push(await fakeSubgraph(name, `${LINK}\n${sdl}`));
  const live = new LiveSupergraph({
    mode: 'production',
    subgraphs: fakes.slice(-subgraphs.length).map(({ name, url }) => ({ name, url })),
    client: { timeoutMs: 1000 },
    logger: pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) }),
  });
  const { supergraphSdl } = await live.initialize({ update: (sdl) => void updates.push(sdl), healthCheck: async () => undefined, getDataSource: () => undefined as never });
  return { live, supergraphSdl, a: fakes[fakes.length - subgraphs.length], b: fakes[fakes.length - subgraphs.length + 1] };
}

beforeEach(() => {
  logs = [];
  updates = [];
});
afterAll(async () => {
  for (const fake of fakes) await fake.stop().catch(() => undefined);
});

test('composes from what the subgraphs serve; an unchanged poll changes nothing', async () => {
  const { live, supergraphSdl } = await liveOver(['a', 'type Query { a: Int }'], ['b', 'type Query { b: Int }']);
  expect(supergraphSdl).toContain('a: Int');
  expect(supergraphSdl).toContain('b: Int');
  expect(await live.refresh()).toEqual({ kind: 'unchanged' });
  expect(await live.refresh()).toEqual({ kind: 'unchanged' });
  expect(updates).toEqual([]);
  live.stop();
});

test('a changed schema is composed and handed to the gateway; one that does not compose is refused and logged once', async () => {
  const { live, a, b } = await liveOver(['a', 'type Query { a: Int }'], ['b', 'type Query { b: Int }']);
  a.sdl = `${LINK}\ntype Query { a: Int, a2: String }`;
  expect(await live.refresh()).toEqual({ kind: 'updated', changed: ['a'] });
  expect(updates).toHaveLength(1);
  expect(updates[0]).toContain('a2: String');
  expect(live.current.supergraphSdl).toContain('a2: String');

  // b now declares a field a also resolves, with another type: no composition.
  b.sdl = `${LINK}\ntype Query { b: Int, a2: Int }`;
  const refused = await live.refresh();
  expect(refused).toEqual({ kind: 'refused', errors: expect.arrayContaining([expect.stringContaining('Query.a2')]) });
  expect(updates).toHaveLength(1);
  expect(live.current.supergraphSdl).toBe(updates[0].replace(/, for: SECURITY/g, ''));
  // Seen again: still refused (not "unchanged"), without composing or logging again.
  expect(await live.refresh()).toEqual(refused);
  const logged = logs.filter((line) => line.msg.startsWith('supergraph update refused'));
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatchObject({ level: 50, changed: ['b'], errors: (refused as { errors: string[] }).errors });

  // Fixed: composed again.
  b.sdl = `${LINK}\ntype Query { b: Int, b2: Int }`;
  expect(await live.refresh()).toEqual({ kind: 'updated', changed: ['b'] });
  live.stop();
});

test('an unreachable subgraph keeps its last known schema, and the outage is logged once', async () => {
  const { live, a } = await liveOver(['a', 'type Query { a: Int }'], ['b', 'type Query { b: Int }']);
  const before = live.current.supergraphSdl;
  await a.stop();
  expect(await live.refresh()).toEqual({ kind: 'unchanged' });
  expect(await live.refresh()).toEqual({ kind: 'unchanged' });
  expect(live.current.supergraphSdl).toBe(before);
  expect(logs.filter((line) => line.msg.startsWith('subgraph schema unreachable'))).toEqual([expect.objectContaining({ subgraph: 'a', problem: expect.any(String) })]);
  live.stop();
});

test('a registration that does not compose, or cannot be reached, is refused and forgotten', async () => {
  const { live } = await liveOver(['a', 'type Query { a: Int }']);
  const c = await fakeSubgraph('c', `${LINK}\ntype Query { c: Int }`);
  const clash = await fakeSubgraph('d', `${LINK}\ntype Query { a: String }`);
  fakes.push(c, clash);
  expect(await live.register('c', c.url)).toEqual({ kind: 'updated', changed: ['c'] });
  expect(live.current.supergraphSdl).toContain('c: Int');
  expect(await live.register('d', clash.url)).toMatchObject({ kind: 'refused', errors: expect.arrayContaining([expect.stringContaining('Query.a')]) });
  expect(await live.register('e', 'http://127.0.0.1:1/graphql')).toMatchObject({ kind: 'refused', errors: [expect.stringContaining('e (http://127.0.0.1:1/graphql): cannot fetch its schema')] });
  // Neither is polled afterwards.
  expect(await live.refresh()).toEqual({ kind: 'unchanged' });
  expect(live.current.snapshots.map((snapshot) => snapshot.name)).toEqual(['a', 'c']);
  live.stop();
});

test('a refused registration leaves no trace: retried, it is refused again; a later valid change applies (issue #17)', async () => {
  const { live, a } = await liveOver(['a', 'type Query { a: Int }']);
  const clash = await fakeSubgraph('d', `${LINK}\ntype Query { a: String }`);
  fakes.push(clash);
  const first = await live.register('d', clash.url);
  expect(first).toMatchObject({ kind: 'refused', errors: expect.arrayContaining([expect.stringContaining('Query.a')]) });
  expect(await live.register('d', clash.url)).toEqual(first);
  expect(await live.register('d', clash.url)).toEqual(first);
  expect(logs.filter((line) => line.msg.startsWith('supergraph update refused'))).toHaveLength(1);
  expect(live.current.snapshots.map((snapshot) => snapshot.name)).toEqual(['a']);
  // The refused URL is not polled: a's change composes and is served.
  a.sdl = `${LINK}\ntype Query { a: Int, a3: Int }`;
  expect(await live.refresh()).toEqual({ kind: 'updated', changed: ['a'] });
  expect(live.current.supergraphSdl).toContain('a3: Int');
  // And d, fixed, can be registered.
  clash.sdl = `${LINK}\ntype Query { d: Int }`;
  expect(await live.register('d', clash.url)).toEqual({ kind: 'updated', changed: ['d'] });
  live.stop();
});

test('introspection at start fails when a subgraph cannot be reached, naming it', async () => {
  const gone = await fakeSubgraph('gone', '');
  await gone.stop();
  const live = new LiveSupergraph({ mode: 'production', subgraphs: [{ name: 'gone', url: gone.url }], client: { timeoutMs: 500 }, logger: pino({ level: 'silent' }) });
  await expect(live.initialize({ update: () => undefined, healthCheck: async () => undefined, getDataSource: () => undefined as never })).rejects.toThrow(
    `Cannot load the schema of every subgraph:\n  - gone (${gone.url}): ECONNREFUSED`,
  );
});
