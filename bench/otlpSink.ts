/**
 * `node --import tsx bench/otlpSink.ts [--port 4318]`: a local OTLP HTTP
 * receiver for the `tracing-on` benchmark configuration. It reads every
 * export the gateway sends to /v1/traces, counts the spans, answers 200 and
 * keeps nothing, so the benchmark measures what tracing costs the gateway
 * (building, batching, serializing and sending spans), not a collector.
 * Prints the span count every 10 s while spans arrive.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string', default: '4318' } } });
let spans = 0;
let exports = 0;
let reported = 0;
createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    exports++;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[] };
      for (const resource of body.resourceSpans ?? []) for (const scope of resource.scopeSpans ?? []) spans += scope.spans?.length ?? 0;
    } catch {
      // protobuf or malformed: counted as an export only
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
}).listen(Number(values.port), '127.0.0.1', () => console.log(`OTLP sink listening at http://127.0.0.1:${values.port}/v1/traces`));
setInterval(() => {
  if (spans !== reported) console.log(`${spans} spans in ${exports} exports`);
  reported = spans;
}, 10_000).unref();
