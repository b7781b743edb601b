/**
 * Reads PostgreSQL's text form of a `timestamptz` into a Date, as pg's own
 * parser (postgres-date) does, faster on the form our servers send for every
 * timestamp of every row (`2025-03-03 19:27:19.122+00`: ISO DateStyle, UTC):
 * that parser runs three regular expressions per value, and with `SELECT *`
 * rows it took about 2% of a subgraph's CPU on the bench's entity fetches.
 *
 * Contract: the same Date (the same time value) as `fallback` for every text;
 * only the exact UTC form above, with a year of four digits from 1000 and up to
 * six fraction digits, is read here (its milliseconds computed by the same
 * expression); anything else (another offset, BC, infinity, years before 1000)
 * is handed to `fallback` unchanged.
 */

const isDigit = (code: number) => code >= 48 && code <= 57;
/** The number written by the two digits at `at` (already checked to be digits). */
const twoDigits = (text: string, at: number) => (text.charCodeAt(at) - 48) * 10 + text.charCodeAt(at + 1) - 48;
/** `YYYY-MM-DD HH:MM:SS`: the character code each position must have, 0 for a digit. */
const SHAPE = [0, 0, 0, 0, 45, 0, 0, 45, 0, 0, 32, 0, 0, 58, 0, 0, 58, 0, 0];

export function timestampParser(fallback: (text: string) => unknown): (text: string) => unknown {
  return (text) => {
    const length = text.length;
    // 19 characters of date and time, an optional fraction of 1-6 digits, then exactly "+00".
    if (length < 22 || length > 29 || text.charCodeAt(length - 3) !== 43 || text.charCodeAt(length - 2) !== 48 || text.charCodeAt(length - 1) !== 48) return fallback(text);
    for (let i = 0; i < 19; i++) {
      const code = text.charCodeAt(i);
      if (SHAPE[i] ? code !== SHAPE[i] : !isDigit(code)) return fallback(text);
    }
    let ms = 0;
    if (length > 22) {
      if (text.charCodeAt(19) !== 46 || length === 23) return fallback(text);
      for (let i = 20; i < length - 3; i++) if (!isDigit(text.charCodeAt(i))) return fallback(text);
      // postgres-date's own expression, so the milliseconds round the same way.
      ms = 1000 * parseFloat(text.slice(19, length - 3));
    }
    const year = twoDigits(text, 0) * 100 + twoDigits(text, 2);
    // Date.UTC reads years 0-99 as 1900-1999; postgres-date corrects that, the fallback keeps doing it.
    if (year < 1000) return fallback(text);
    return new Date(Date.UTC(year, twoDigits(text, 5) - 1, twoDigits(text, 8), twoDigits(text, 11), twoDigits(text, 14), twoDigits(text, 17), ms));
  };
}
