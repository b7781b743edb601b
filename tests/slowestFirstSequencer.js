/**
 * Orders test files slowest first, also where jest has no timings of its own (CI, a fresh clone): a file that is
 * neither in jest's cache nor in tests/testDurations.json runs first (it may be slow: nobody knows), then the rest by
 * duration, longest first. With two workers, a long file started last is the suite's tail; started first, it runs
 * while the other worker goes through the short ones. jest's own durations (its cache, from earlier runs on this
 * machine) win over the recorded ones. This only orders files: it must never leave one out or change what runs.
 *
 * tests/testDurations.json holds each file's duration (ms) in a full run; refresh it after a full
 * `npm run jest -- --json --outputFile=/tmp/jest-times.json` with `node tests/slowestFirstSequencer.js /tmp/jest-times.json`.
 */
const { readFileSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

const ROOT = join(__dirname, '..');
const DURATIONS_FILE = join(__dirname, 'testDurations.json');

class SlowestFirstSequencer extends Sequencer {
  constructor(...args) {
    super(...args);
    this.recorded = JSON.parse(readFileSync(DURATIONS_FILE, 'utf8'));
  }

  time(test) {
    return super.time(test) ?? this.recorded[relative(ROOT, test.path)];
  }
}

/** Writes tests/testDurations.json from jest's --json output: each file's duration, longest first. */
function recordDurations(jsonOutputFile) {
  const { testResults } = JSON.parse(readFileSync(jsonOutputFile, 'utf8'));
  const durations = testResults
    .map((result) => [relative(ROOT, result.name), result.endTime - result.startTime])
    .sort((a, b) => b[1] - a[1]);
  writeFileSync(DURATIONS_FILE, `${JSON.stringify(Object.fromEntries(durations), null, 1)}\n`);
}

if (require.main === module) recordDurations(process.argv[2]);

module.exports = SlowestFirstSequencer;
