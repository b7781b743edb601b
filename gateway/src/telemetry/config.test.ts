import { loadConfig, parseConfig } from '../config';

const subgraphs = [{ name: 'sales', url: 'http://127.0.0.1:4002/graphql' }];

test('tracing is off by default; trusting service principals, no listed ids', () => {
  expect(parseConfig({ subgraphs }).tracing).toEqual({ serviceName: 'meshgate-gateway', sampleRatio: 1, propagation: { trustServicePrincipals: true, trustedPrincipals: [] } });
});

test('the environment sets the endpoint and the ratio', () => {
  const config = loadConfig({ env: { MESHGATE_TRACING_ENDPOINT: 'http://127.0.0.1:4318/v1/traces', MESHGATE_TRACING_SAMPLE_RATIO: '0.1' }, defaults: { subgraphs } });
  expect(config.tracing).toMatchObject({ endpoint: 'http://127.0.0.1:4318/v1/traces', sampleRatio: 0.1 });
});

test('bad tracing values name the key, what was expected and what was given', () => {
  expect(() => parseConfig({ subgraphs, tracing: { endpoint: 'collector:4318' } })).toThrow(/tracing\.endpoint.*expected an http\(s\) URL of an OTLP HTTP traces endpoint/);
  expect(() => parseConfig({ subgraphs, tracing: { sampleRatio: 2 } })).toThrow(/tracing\.sampleRatio.*expected a ratio from 0 to 1/);
  expect(() => parseConfig({ subgraphs, tracing: { propagation: { trustEveryone: true } } })).toThrow(/tracing\.propagation.*trustEveryone/);
  expect(() => loadConfig({ env: { MESHGATE_TRACING_SAMPLE_RATIO: 'half' }, defaults: { subgraphs } })).toThrow('MESHGATE_TRACING_SAMPLE_RATIO: expected a number, got "half"');
});

test('metrics.operationNames bounds are validated', () => {
  expect(parseConfig({ subgraphs }).metrics.operationNames).toEqual({ max: 100, officialOnly: false });
  expect(() => parseConfig({ subgraphs, metrics: { operationNames: { max: 5000 } } })).toThrow(/metrics\.operationNames\.max/);
  expect(() => parseConfig({ subgraphs, metrics: { operationNames: { allowed: ['not a name'] } } })).toThrow(/metrics\.operationNames\.allowed\.0.*a GraphQL operation name/);
});
