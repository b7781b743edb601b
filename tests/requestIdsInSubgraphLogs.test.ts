/**
 * Request ids across the mesh (issue 18): the gateway sends the request's
 * x-request-id to every subgraph it fetches from, and each subgraph writes
 * it in its one pino access-log line per request, as the gateway writes it in
 * its own: a request's lines join on one id in every process.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { startMesh, tokenFor, type TestMesh } from './harness';
import { ADMIN } from './principals';

jest.setTimeout(120_000);

type Line = { service?: string; subgraph?: string; msg?: string; requestId?: string; status?: number; path?: string; ms?: number };

const lines: Line[] = [];
const capture = (base: Record<string, string>) =>
  pino({ level: 'info', base }, new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(...chunk.toString().trim().split('\n').map((text) => JSON.parse(text) as Line)), done()) }));

let mesh: TestMesh;

beforeAll(async () => {
  mesh = await startMesh({
    logger: capture({ service: 'meshgate' }),
    subgraphLogger: (subgraph) => capture({ service: 'subgraph', subgraph }),
  });
});

afterAll(() => mesh.stop());

const accessLines = (requestId: string) => lines.filter((line) => line.msg === 'request' && line.requestId === requestId);

test("the client's x-request-id reaches every subgraph fetched, once per request, in pino access-log lines", async () => {
  lines.splice(0);
  const query = '{ orders(first: 2) { edges { node { id customer { segment } payment { amount } } } } }';
  const { status } = await mesh.query(query, undefined, { ...(await tokenFor(ADMIN)), 'x-request-id': 'join-me-42' });
  expect(status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const joined = accessLines('join-me-42');
  expect(joined.filter((line) => line.service === 'meshgate')).toEqual([expect.objectContaining({ path: '/graphql', status: 200, ms: expect.any(Number) })]);
  const bySubgraph = joined.filter((line) => line.service === 'subgraph').map((line) => line.subgraph).sort();
  expect(bySubgraph).toEqual(['customers', 'finance', 'sales']);
  for (const line of joined) expect(line).toMatchObject({ status: 200, ms: expect.any(Number) });
});

test('a request without an id gets one from the gateway, and the subgraphs log that one', async () => {
  lines.splice(0);
  const response = await fetch(mesh.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await tokenFor(ADMIN)) },
    body: JSON.stringify({ query: '{ orders(first: 1) { edges { node { id customer { segment } } } } }' }),
  });
  const id = response.headers.get('x-request-id')!;
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  await response.json();
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(accessLines(id).map((line) => line.subgraph ?? line.service).sort()).toEqual(['customers', 'meshgate', 'sales']);
});

test("an id the gateway would not accept is replaced, and never reaches a subgraph's logs", async () => {
  lines.splice(0);
  const { status } = await mesh.query('{ orders(first: 1) { totalCount } }', undefined, { ...(await tokenFor(ADMIN)), 'x-request-id': 'bad id\twith spaces' });
  expect(status).toBe(200);
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(lines.some((line) => line.requestId === 'bad id\twith spaces')).toBe(false);
  const subgraphLines = lines.filter((line) => line.service === 'subgraph' && line.msg === 'request');
  expect(subgraphLines.length).toBeGreaterThan(0);
  for (const line of subgraphLines) expect(line.requestId).toMatch(/^[0-9a-f-]{36}$/);
});
