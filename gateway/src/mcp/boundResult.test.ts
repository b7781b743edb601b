import { boundResult, paginationArgumentsOf } from './boundResult';

const campaigns = Array.from({ length: 30 }, (_, i) => ({ id: String(i), conversions: Array.from({ length: 100 }, (_, j) => ({ order: `order-${i}-${j}` })) }));

test('a result within the bound is left as it is', () => {
  const result = { data: { a: [1, 2, 3] } };
  expect(boundResult(result, 1024)).toEqual({ text: JSON.stringify(result), bytes: JSON.stringify(result).length });
});

test('a result over the bound has its lists cut to fit, with a marker naming each list, what was kept and how to page', () => {
  const bounded = boundResult({ data: { campaigns }, denied: [{ path: 'x' }] }, 4096, paginationArgumentsOf(['first', 'after', 'campaign']));
  expect(bounded.bytes).toBeLessThanOrEqual(4096);
  const parsed = JSON.parse(bounded.text);
  const kept = parsed.data.campaigns.length;
  expect(kept).toBeGreaterThan(0);
  expect(parsed.data.campaigns[0].conversions).toHaveLength(kept);
  expect(parsed.denied).toEqual([{ path: 'x' }]);
  expect(parsed.truncated).toEqual({
    maxBytes: 4096,
    originalBytes: JSON.stringify({ data: { campaigns }, denied: [{ path: 'x' }] }).length,
    lists: [
      { path: 'campaigns', kept, total: 30 },
      { path: 'campaigns.*.conversions', kept, total: 100 },
    ],
    paginationArguments: ['first', 'after'],
    note: expect.stringMatching(/cut to its first \d+ items\. Ask for fewer items per page with first, after/),
  });
  // The largest cut that fits: one more item per list would not.
  expect(JSON.stringify({ data: { campaigns: campaigns.slice(0, kept + 1).map((c) => ({ ...c, conversions: c.conversions.slice(0, kept + 1) })) } }).length).toBeGreaterThan(4096 - 400);
});

test('when even empty lists do not fit, data is dropped and the marker says to select fewer fields', () => {
  const bounded = boundResult({ data: { text: 'x'.repeat(5000) } }, 1024);
  expect(bounded.bytes).toBeLessThanOrEqual(1024);
  expect(JSON.parse(bounded.text)).toMatchObject({ data: null, truncated: { note: expect.stringMatching(/select fewer fields/) } });
});
