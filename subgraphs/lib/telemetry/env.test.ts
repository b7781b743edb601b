import { tracingFromEnv } from './env';

test('tracing is off without an endpoint, on with one (ratio 1 unless given)', () => {
  expect(tracingFromEnv({}, 'meshgate-sales')).toBeUndefined();
  expect(tracingFromEnv({ MESHGATE_TRACING_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }, 'meshgate-sales')).toEqual({ endpoint: 'http://127.0.0.1:4318/v1/traces', serviceName: 'meshgate-sales', sampleRatio: 1 });
  expect(tracingFromEnv({ MESHGATE_TRACING_ENDPOINT: 'https://otel.example/v1/traces', MESHGATE_TRACING_SAMPLE_RATIO: '0.25' }, 's')?.sampleRatio).toBe(0.25);
});

test('bad values name the variable, what was expected and what was given', () => {
  expect(() => tracingFromEnv({ MESHGATE_TRACING_ENDPOINT: 'collector:4318' }, 's')).toThrow('MESHGATE_TRACING_ENDPOINT: expected an http(s) URL of an OTLP HTTP traces endpoint, e.g. http://127.0.0.1:4318/v1/traces, got "collector:4318"');
  expect(() => tracingFromEnv({ MESHGATE_TRACING_ENDPOINT: 'http://c/v1/traces', MESHGATE_TRACING_SAMPLE_RATIO: '2' }, 's')).toThrow('MESHGATE_TRACING_SAMPLE_RATIO: expected a ratio from 0 to 1, got "2"');
});
