import { parseConfig } from '../config';
import { ConfigError } from '../configError';

const subgraphs = [{ name: 'sales', url: 'http://127.0.0.1:4003/graphql' }];

test('mcp is on by default with a 64 KiB result bound', () => {
  expect(parseConfig({ subgraphs }).mcp).toEqual({ enabled: true, maxResultBytes: 65_536 });
});

test('a bad mcp key names the key, what was expected and what was given', () => {
  const problems = (input: unknown) => {
    try {
      parseConfig({ subgraphs, mcp: input } as never);
    } catch (error) {
      return (error as ConfigError).problems;
    }
    throw new Error('expected a ConfigError');
  };
  expect(problems({ maxResultBytes: 10 })[0]).toMatch(/^mcp\.maxResultBytes: .*1024/);
  expect(problems({ maxResultByte: 2048 })).toEqual(['mcp.maxResultByte: unknown key']);
});
