/**
 * A collector that is down does not fail requests, and the operator hears of
 * it: the SDK's export failure is one warn line in the gateway's pino log
 * (at most one a minute, with how many were not written).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { startMesh, tokenFor } from './harness';
import { ADMIN } from './principals';

jest.setTimeout(120_000);

test('requests are answered while the OTLP endpoint refuses connections, and the failure is logged once', async () => {
  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));

  const lines: { level: number; msg: string; component?: string; suppressed?: number }[] = [];
  const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(...chunk.toString().trim().split('\n').map((text) => JSON.parse(text))), done()) }));
  const mesh = await startMesh({ logger, gateway: { tracing: { endpoint: `http://127.0.0.1:${port}/v1/traces` } } });
  try {
    for (let i = 0; i < 3; i++) {
      const { status, body } = await mesh.query('{ orders(first: 2) { edges { node { id customer { segment } } } } }', undefined, await tokenFor(ADMIN));
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
    }
    // The batch is exported within a second; the exporter retries for up to its timeout (5 s), then reports.
    const deadline = Date.now() + 30_000;
    while (!lines.some((line) => line.component === 'tracing') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    // More failed exports within the minute are counted, not written.
    await mesh.query('{ orders(first: 1) { totalCount } }', undefined, await tokenFor(ADMIN));
    await new Promise((resolve) => setTimeout(resolve, 7000));
  } finally {
    // Stopping waits at most 5 s for the last export.
    const stopping = Date.now();
    await mesh.stop();
    expect(Date.now() - stopping).toBeLessThan(15_000);
  }
  const problems = lines.filter((line) => line.component === 'tracing' && !/last spans/.test(line.msg));
  expect(problems).toHaveLength(1);
  expect(problems[0].msg).toMatch(/^OpenTelemetry: connect ECONNREFUSED 127.0.0.1:\d+$/);
});
