/**
 * Progress lines for long work (seeding, benchmarks). On a terminal the line is
 * redrawn in place; in CI and logs it prints at most every 10%, so output stays short.
 */
export type Progress = { tick(done: number): void; finish(note?: string): void };

export function progress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = Date.now();
  const interactive = Boolean(stream.isTTY);
  let lastDecile = -1;
  const render = (done: number) => {
    const ratio = total === 0 ? 1 : Math.min(1, done / total);
    const width = 24;
    const bar = '#'.repeat(Math.round(ratio * width)).padEnd(width, '.');
    return `${label} [${bar}] ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${(ratio * 100).toFixed(0)}%`;
  };
  return {
    tick(done) {
      if (interactive) {
        stream.write(`\r${render(done)}`);
        return;
      }
      const decile = Math.floor((total === 0 ? 1 : done / total) * 10);
      // 100% is left to finish(), which adds the elapsed time.
      if (decile > lastDecile && decile < 10) {
        lastDecile = decile;
        stream.write(`${render(done)}\n`);
      }
    },
    finish(note = '') {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      stream.write(`${interactive ? '\r' : ''}${render(total)} in ${seconds}s${note ? ` ${note}` : ''}\n`);
    },
  };
}
