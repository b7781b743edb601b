/** timestampParser: the same time as pg's own timestamptz parser for every text, read faster on the UTC form our servers send. */
import { types } from 'pg';
import { timestampParser } from './timestampParser';

const original = types.getTypeParser(types.builtins.TIMESTAMPTZ, 'text') as (text: string) => unknown;
const timeOf = (value: unknown) => (value instanceof Date ? value.getTime() : value);

test('agrees with pg on the UTC form, every fraction length from none to six digits', () => {
  let seen = 0;
  const fallback = (text: string) => {
    seen++;
    return original(text);
  };
  const parse = timestampParser(fallback);
  for (let i = 0; i < 5000; i++) {
    const iso = new Date(Date.UTC(1970, 0, 1) + i * 1_234_567_891_3).toISOString();
    const micros = String(i * 7919 % 1_000_000).padStart(6, '0');
    const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
    for (const fraction of ['', ...[1, 2, 3, 4, 5, 6].map((digits) => `.${micros.slice(0, digits)}`)]) {
      const text = `${base}${fraction}+00`;
      expect([text, timeOf(parse(text))]).toEqual([text, timeOf(original(text))]);
    }
  }
  expect(seen).toBe(0);
});

test('hands every other form to pg unchanged, so it answers exactly as pg does', () => {
  const handed: string[] = [];
  const parse = timestampParser((text) => (handed.push(text), original(text)));
  const others = [
    '0099-03-01 10:00:00+00',
    '0001-01-01 00:00:00+00',
    '0044-03-15 12:00:00+00 BC',
    'infinity',
    '-infinity',
    '2025-03-03 19:27:19.122+05:30',
    '2025-03-03 19:27:19-08',
    '2025-03-03 19:27:19.+00',
    '2025-03-03 19:27:19.1234567+00',
    '2025-03-03T19:27:19.122+00',
    '2025-3-03 19:27:19+00',
    '12025-03-03 19:27:19+00',
    'not a time at all',
  ];
  for (const text of others) expect([text, timeOf(parse(text))]).toEqual([text, timeOf(original(text))]);
  expect(handed).toEqual(others);
});
