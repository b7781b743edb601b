import { heapGrowthChosenByOperator } from './heapGrowth';

describe('heapGrowthChosenByOperator', () => {
  it('sees the option in node options or NODE_OPTIONS, in either spelling', () => {
    expect(heapGrowthChosenByOperator(['--heap-growing-percent=50'], '')).toBe(true);
    expect(heapGrowthChosenByOperator([], '--max-old-space-size=512 --heap_growing_percent=30')).toBe(true);
  });

  it('does not mistake other options for it', () => {
    expect(heapGrowthChosenByOperator(['--max-semi-space-size=8', '--heap-prof'], '')).toBe(false);
    expect(heapGrowthChosenByOperator([], '')).toBe(false);
    expect(heapGrowthChosenByOperator(['--heap-growing-percentage=5'], '')).toBe(false);
  });
});
