/** execution.planRewrites: on by default, off from the file or MESHGATE_PLAN_REWRITES, and a wrong value names the key. */
import { loadConfig, parseConfig } from '../../../config';

const SUBGRAPHS = { subgraphs: [{ name: 'a', url: 'http://127.0.0.1:1/graphql' }] };

test('on by default; false from the config or from MESHGATE_PLAN_REWRITES turns it off', () => {
  expect(parseConfig(SUBGRAPHS).execution.planRewrites).toBe(true);
  expect(parseConfig({ ...SUBGRAPHS, execution: { planRewrites: false } }).execution.planRewrites).toBe(false);
  expect(loadConfig({ env: { MESHGATE_PLAN_REWRITES: 'false' }, defaults: SUBGRAPHS }).execution.planRewrites).toBe(false);
});

test('a value that is not a boolean is refused, naming execution.planRewrites and what it got', () => {
  expect(() => parseConfig({ ...SUBGRAPHS, execution: { planRewrites: 'yes' } })).toThrow(/execution\.planRewrites.*boolean/s);
  expect(() => loadConfig({ env: { MESHGATE_PLAN_REWRITES: 'perhaps' }, defaults: SUBGRAPHS })).toThrow(/MESHGATE_PLAN_REWRITES/);
});
