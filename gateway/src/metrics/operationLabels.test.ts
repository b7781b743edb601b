import { OperationLabels } from './operationLabels';

test('no name is anonymous; the first max names from authenticated principals get a label, then other', () => {
  const labels = new OperationLabels({ max: 2 });
  expect(labels.labelOf(undefined, true)).toBe('anonymous');
  expect(labels.labelOf('', true)).toBe('anonymous');
  expect(labels.labelOf('FromAnonymous', false)).toBe('other');
  expect(labels.labelOf('Revenue', true)).toBe('Revenue');
  expect(labels.labelOf('Revenue', false)).toBe('Revenue');
  expect(labels.labelOf('Orders', true)).toBe('Orders');
  expect(labels.labelOf('Third', true)).toBe('other');
  expect(labels.labelOf('FromAnonymous', true)).toBe('other');
});

test('a flood of fresh names costs at most max + 2 label values', () => {
  const labels = new OperationLabels({ max: 100 });
  const seen = new Set<string>();
  for (let i = 0; i < 10_000; i++) seen.add(labels.labelOf(`Op${i}`, true));
  seen.add(labels.labelOf(null, true));
  expect(seen.size).toBe(102);
});

test('names that are not GraphQL names, or too long, are other', () => {
  const labels = new OperationLabels({ max: 10 });
  expect(labels.labelOf('a"b', true)).toBe('other');
  expect(labels.labelOf(`A${'x'.repeat(64)}`, true)).toBe('other');
  expect(labels.labelOf(`A${'x'.repeat(63)}`, true)).toBe(`A${'x'.repeat(63)}`);
});

test('with allowed (the official operations), only those names', () => {
  const labels = new OperationLabels({ max: 100, allowed: ['Revenue'] });
  expect(labels.labelOf('Revenue', false)).toBe('Revenue');
  expect(labels.labelOf('Orders', true)).toBe('other');
});
