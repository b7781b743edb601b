/**
 * latest.svg, written by hand (no chart library, no external service): for each
 * workload, throughput and p99 latency per configuration as horizontal bars
 * (the median over rounds), with a whisker from the lowest to the highest round.
 */
import type { BenchResults } from './report';
import { median } from './report';

const COLORS = ['#6b7280', '#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#db2777'];
const WIDTH = 960;
const LABEL = 110;
const PANEL = 360;
const GAP = 50;
const BAR = 16;
const ROW = 22;

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The axis maximum: four round steps (1, 2, 2.5 or 5 times a power of ten) that reach `value`. */
function niceMax(value: number): number {
  if (!(value > 0)) return 4;
  const rawStep = value / 4;
  const magnitude = 10 ** Math.floor(Math.log10(rawStep));
  return 4 * [1, 2, 2.5, 5, 10].map((step) => step * magnitude).find((candidate) => candidate >= rawStep)!;
}

type Bar = { label: string; color: string; median: number; min: number; max: number };

function panel(x: number, y: number, title: string, unit: string, bars: Bar[]): string {
  const scaleMax = niceMax(Math.max(...bars.map((bar) => bar.max)));
  const at = (value: number) => x + (Math.max(0, value) / scaleMax) * PANEL;
  const parts = [`<text x="${x}" y="${y - 8}" class="axis">${escape(title)}</text>`];
  for (let tick = 0; tick <= 4; tick++) {
    const tx = x + (tick / 4) * PANEL;
    parts.push(`<line x1="${tx}" y1="${y}" x2="${tx}" y2="${y + bars.length * ROW}" class="grid"/>`);
    parts.push(`<text x="${tx}" y="${y + bars.length * ROW + 12}" class="tick">${+((scaleMax * tick) / 4).toPrecision(3)}</text>`);
  }
  bars.forEach((bar, i) => {
    const by = y + i * ROW + (ROW - BAR) / 2;
    if (!Number.isFinite(bar.median)) return;
    parts.push(`<rect x="${x}" y="${by}" width="${(at(bar.median) - x).toFixed(1)}" height="${BAR}" fill="${bar.color}"><title>${escape(`${bar.label}: ${bar.median.toFixed(1)} ${unit} (rounds ${bar.min.toFixed(1)}–${bar.max.toFixed(1)})`)}</title></rect>`);
    const wy = by + BAR / 2;
    parts.push(`<line x1="${at(bar.min).toFixed(1)}" y1="${wy}" x2="${at(bar.max).toFixed(1)}" y2="${wy}" class="whisker"/>`);
    parts.push(`<text x="${(at(bar.max) + 4).toFixed(1)}" y="${wy + 4}" class="value">${bar.median.toFixed(1)}</text>`);
  });
  return parts.join('\n');
}

export function renderChart(results: BenchResults): string {
  const configs = results.configurations.map((config, i) => ({ name: config.name, color: COLORS[i % COLORS.length] }));
  const rowHeight = 46 + configs.length * ROW;
  const top = 72;
  const height = top + results.workloads.length * rowHeight + 10;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif">`,
    `<style>.title{font-size:15px;font-weight:600}.sub{font-size:11px;fill:#555}.axis{font-size:12px;font-weight:600}.tick{font-size:10px;fill:#777;text-anchor:middle}` +
      `.label{font-size:12px;text-anchor:end}.value{font-size:10px;fill:#333}.grid{stroke:#e5e7eb}.whisker{stroke:#111;stroke-width:1.5}.workload{font-size:13px;font-weight:600}</style>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" class="title">meshgate bench: throughput (higher is better) and p99 latency (lower is better)</text>`,
    `<text x="10" y="38" class="sub">${escape(`${results.startedAt} · ${results.machine.cpus} cores · ${results.database.description} · scale ${results.scale}`)}</text>`,
    `<text x="10" y="54" class="sub">${escape(`${results.options.connections} connections · ${results.options.durationSec}s after ${results.options.warmupSec}s warm-up · ${results.options.rounds} rounds · bar: median, whisker: lowest to highest round`)}</text>`,
  ];
  results.workloads.forEach((workload, w) => {
    const y = top + w * rowHeight;
    parts.push(`<text x="10" y="${y + 10}" class="workload">${escape(workload.name)}</text>`);
    const barsFor = (value: (run: NonNullable<BenchResults['runs'][number]['load']>) => number) =>
      configs.map(({ name, color }) => {
        const values = results.runs.filter((run) => run.workload === workload.name && run.config === name && run.load).map((run) => value(run.load!));
        return { label: name, color, median: median(values), min: Math.min(...values), max: Math.max(...values) };
      });
    const barsTop = y + 30;
    configs.forEach(({ name }, i) => parts.push(`<text x="${LABEL - 8}" y="${barsTop + i * ROW + ROW / 2 + 4}" class="label">${escape(name)}</text>`));
    parts.push(panel(LABEL, barsTop, 'requests/s', 'req/s', barsFor((load) => load.rps)));
    parts.push(panel(LABEL + PANEL + GAP + 40, barsTop, 'p99 latency (ms)', 'ms', barsFor((load) => load.latencyMs.p99)));
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
