/**
 * The benchmark's results as data (latest.json) and as tables (terminal and
 * latest.md). Ratios are taken per round, between runs of the same round (so
 * drift over the session cancels), and summarized by their median.
 */
import type { LoadResult } from './load';
import type { WindowUsage } from './procStats';
import type { ProfileSummary } from './profile';

export type ProbeResult = {
  workload: string;
  config: string;
  fetchesPerRequest: number;
  sqlPerRequest: number;
  bySubgraph: Record<string, { fetches: number; sql: number }>;
  /** How many requests the counts are averaged over. */
  requests: number;
};

export type RunRecord = {
  round: number;
  config: string;
  workload: string;
  /** 'ok', or why the answer was not the baseline's (the run was then not timed). */
  check: string;
  /** The measured window; `load.warmup` is what the warm-up before it got. */
  load?: LoadResult;
  gateway?: { cpuSec: number; cpuMsPerRequest: number; peakRssMb: number; peakSource: string };
  /** Where the machine's CPU went during the window (lib/procStats.ts); `foreign` is other work, i.e. noise. */
  cpuSec?: WindowUsage['cpuSec'];
};

export type Summary = {
  workload: string;
  config: string;
  rounds: number;
  rps: { median: number; min: number; max: number };
  latencyMs: { p50: number; p95: number; p99: number };
  failures: number;
  peakRssMb: number;
  cpuMsPerRequest: number;
  ratioToBaseline: { perRound: number[]; median: number } | null;
  ratioToComparedTo: {
    to: string;
    perRound: number[];
    median: number;
    budget?: number;
    withinBudget?: boolean;
    /** Gateway CPU per request over `to`'s, median of rounds: less sensitive to other work than throughput. */
    cpuPerRequest: number;
  } | null;
  fetchesPerRequest?: number;
  sqlPerRequest?: number;
  /** Rounds in which other work took more than NOISY_SHARE of the machine. */
  noisyRounds: number;
};

export type BenchResults = {
  startedAt: string;
  totalSec: number;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string; platform: string };
  database: { kind: string; description: string };
  scale: number;
  seed: number;
  options: { durationSec: number; warmupSec: number; connections: number; rate?: number | Record<string, number>; rounds: number };
  principal: string;
  configurations: { name: string; description: string; comparedTo?: string; budget?: number }[];
  workloads: { name: string; description: string; samples: number; randomVariables: boolean; connections?: number }[];
  probe: ProbeResult[];
  runs: RunRecord[];
  /** With --profile: each gateway process's CPU profile, summarized (lib/profile.ts); with --profile-subgraphs also one over the six subgraphs (config `subgraphs`, round 0). */
  profiles?: { config: string; round: number; summary: ProfileSummary }[];
  summary: Summary[];
};

/** A run where other work took more than this share of the machine's CPU is flagged as noisy. */
export const NOISY_SHARE = 0.1;

/** The share of the machine's CPU (all cores) that other work took during the run. */
export function foreignShare(run: RunRecord, cores: number): number {
  return run.cpuSec && run.load ? run.cpuSec.foreign / (run.load.elapsedSec * cores) : NaN;
}

export function median(values: number[]): number {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A measure of `config` over `reference`'s (throughput by default) in each round both were timed. */
function ratiosPerRound(runs: RunRecord[], workload: string, config: string, reference: string, measure = (run: RunRecord) => run.load!.rps): number[] {
  const ratios: number[] = [];
  for (const run of runs) {
    if (run.workload !== workload || run.config !== config || !run.load) continue;
    const other = runs.find((candidate) => candidate.workload === workload && candidate.config === reference && candidate.round === run.round && candidate.load);
    if (other && measure(other)) ratios.push(measure(run) / measure(other));
  }
  return ratios;
}

export function summarize(results: BenchResults): Summary[] {
  const summaries: Summary[] = [];
  const hasBaseline = results.configurations.some((config) => config.name === 'baseline');
  for (const workload of results.workloads) {
    for (const config of results.configurations) {
      const timed = results.runs.filter((run) => run.workload === workload.name && run.config === config.name && run.load);
      const failedChecks = results.runs.filter((run) => run.workload === workload.name && run.config === config.name && run.check !== 'ok').length;
      if (!timed.length && !failedChecks) continue;
      const loads = timed.map((run) => run.load!);
      const rps = loads.map((load) => load.rps);
      const toBaseline = hasBaseline && config.name !== 'baseline' ? ratiosPerRound(results.runs, workload.name, config.name, 'baseline') : [];
      const toCompared = config.comparedTo ? ratiosPerRound(results.runs, workload.name, config.name, config.comparedTo) : [];
      const comparedMedian = median(toCompared);
      const probe = results.probe.find((entry) => entry.workload === workload.name && entry.config === config.name);
      summaries.push({
        workload: workload.name,
        config: config.name,
        rounds: timed.length,
        rps: { median: median(rps), min: Math.min(...rps), max: Math.max(...rps) },
        latencyMs: {
          p50: median(loads.map((load) => load.latencyMs.p50)),
          p95: median(loads.map((load) => load.latencyMs.p95)),
          p99: median(loads.map((load) => load.latencyMs.p99)),
        },
        failures: loads.reduce((sum, load) => sum + load.failures.total, 0) + failedChecks,
        peakRssMb: Math.max(...timed.map((run) => run.gateway!.peakRssMb)),
        cpuMsPerRequest: median(timed.map((run) => run.gateway!.cpuMsPerRequest)),
        ratioToBaseline: toBaseline.length ? { perRound: toBaseline, median: median(toBaseline) } : null,
        ratioToComparedTo: toCompared.length
          ? {
              to: config.comparedTo!,
              perRound: toCompared,
              median: comparedMedian,
              cpuPerRequest: median(ratiosPerRound(results.runs, workload.name, config.name, config.comparedTo!, (run) => run.gateway!.cpuMsPerRequest)),
              ...(config.budget !== undefined && { budget: config.budget, withinBudget: 1 - comparedMedian <= config.budget }),
            }
          : null,
        fetchesPerRequest: probe?.fetchesPerRequest,
        sqlPerRequest: probe?.sqlPerRequest,
        noisyRounds: timed.filter((run) => foreignShare(run, results.machine.cpus) > NOISY_SHARE).length,
      });
    }
  }
  return summaries;
}

const num = (value: number | undefined, digits = 1) => (value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits));
const ratio = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '–' : `×${value.toFixed(3)}`);
const percent = (value: number) => `${value >= 1 ? '+' : '−'}${Math.abs((value - 1) * 100).toFixed(1)}%`;

/** A pipe table padded to align in a terminal; the same text is a Markdown table. */
export function table(headers: string[], rows: string[][], rightAligned: boolean[] = headers.map((_, i) => i > 0)): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => row[i].length)));
  const cell = (text: string, i: number) => (rightAligned[i] ? text.padStart(widths[i]) : text.padEnd(widths[i]));
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const rule = `|${widths.map((width, i) => (rightAligned[i] ? `${'-'.repeat(width + 1)}:` : `:${'-'.repeat(width + 1)}`)).join('|')}|`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}

function summaryTable(results: BenchResults): string {
  const rows = results.summary.map((s) => [
    s.workload,
    s.config,
    `${num(s.rps.median)} (${num(s.rps.min)}–${num(s.rps.max)})`,
    ratio(s.ratioToBaseline?.median),
    s.ratioToComparedTo ? `${ratio(s.ratioToComparedTo.median)} vs ${s.ratioToComparedTo.to}` : '–',
    num(s.latencyMs.p50),
    num(s.latencyMs.p95),
    num(s.latencyMs.p99),
    String(s.failures),
    num(s.peakRssMb, 0),
    num(s.cpuMsPerRequest, 2),
    num(s.fetchesPerRequest, 1),
    num(s.sqlPerRequest, 1),
    `${s.noisyRounds}/${s.rounds}`,
  ]);
  return table(
    ['workload', 'config', 'req/s median (min–max)', '×baseline', '×compared', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'peak RSS MB', 'CPU ms/req', 'fetches/req', 'SQL/req', 'noisy'],
    rows,
    [false, false, true, true, true, true, true, true, true, true, true, true, true, true],
  );
}

function roundsTable(results: BenchResults): string {
  const rows = results.runs.map((run) => {
    const baseline = results.runs.find((other) => other.workload === run.workload && other.round === run.round && other.config === 'baseline');
    if (!run.load) return [run.workload, String(run.round), run.config, `check failed: ${run.check}`, '', '', '', '', '', '', '', '', '', '', ''];
    const cpu = run.cpuSec!;
    const { load, gateway } = run;
    return [
      run.workload,
      String(run.round),
      run.config,
      num(load.rps),
      run.config !== 'baseline' && baseline?.load ? ratio(load.rps / baseline.load.rps) : '–',
      num(load.latencyMs.p50),
      num(load.latencyMs.p95),
      num(load.latencyMs.p99),
      String(load.failures.total),
      num(gateway!.peakRssMb, 0),
      num(gateway!.cpuSec, 2),
      num(gateway!.cpuMsPerRequest, 2),
      num(cpu.subgraphs, 1),
      cpu.database === null ? '–' : num(cpu.database, 1),
      num(cpu.loadGenerator, 1),
      `${num(foreignShare(run, results.machine.cpus) * 100, 0)}%`,
    ];
  });
  return table(
    ['workload', 'round', 'config', 'req/s', '×baseline', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'peak RSS MB', 'CPU s', 'CPU ms/req', 'subgraphs CPU s', 'DB CPU s', 'autocannon CPU s', 'other work'],
    rows,
    [false, true, false, true, true, true, true, true, true, true, true, true, true, true, true, true],
  );
}

function verdicts(results: BenchResults): string[] {
  return results.summary
    .filter((s) => s.ratioToComparedTo)
    .map((s) => {
      const c = s.ratioToComparedTo!;
      const budget = c.budget !== undefined ? ` (budget −${(c.budget * 100).toFixed(0)}%: ${c.withinBudget ? 'within' : 'OVER'})` : '';
      const noisy = s.noisyRounds ? `; ${s.noisyRounds} of ${s.rounds} rounds noisy` : '';
      return `${s.workload}: ${s.config} vs ${c.to}: throughput ${percent(c.median)} (median of ${c.perRound.map(percent).join(', ')})${budget}; gateway CPU per request ${percent(c.cpuPerRequest)}${noisy}`;
    });
}

function header(results: BenchResults): string[] {
  const { machine, options } = results;
  return [
    `${results.startedAt}, ${(results.totalSec / 60).toFixed(1)} min; ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGb.toFixed(0)} GB, Node ${machine.node}`,
    `data: ${results.database.description}, scale ${results.scale}, seed ${results.seed}`,
    `load: autocannon in the bench process, ${options.connections} connections (unless a workload says otherwise)${rateText(options.rate)}, ${options.durationSec}s per run after ${options.warmupSec}s warm-up, ${options.rounds} rounds alternating configurations; requests as ${results.principal}`,
  ];
}

export function renderTerminal(results: BenchResults): string {
  return [
    ...header(results),
    '',
    'Per round (×baseline: this round\'s throughput over the baseline\'s in the same round; CPU s and peak RSS are the gateway process\'s; other work: the machine\'s CPU used by none of the bench\'s processes):',
    roundsTable(results),
    '',
    `Summary (medians over rounds; fetches and SQL per request from the counting probe; noisy: rounds where other work took over ${NOISY_SHARE * 100}% of the machine):`,
    summaryTable(results),
    '',
    ...verdicts(results),
  ].join('\n');
}

export function renderMarkdown(results: BenchResults, chartFile = 'latest.svg'): string {
  return [
    `# meshgate bench: results of ${results.startedAt.slice(0, 10)}`,
    '',
    ...header(results).map((line) => `- ${line}`),
    '',
    '## Configurations',
    '',
    ...results.configurations.map((c) => `- **${c.name}**: ${c.description}`),
    '',
    '## Workloads',
    '',
    ...results.workloads.map((w) => `- **${w.name}**: ${w.description}`),
    '',
    '## Summary',
    '',
    `Medians over rounds. ×baseline and ×compared are medians of per-round throughput ratios. Fetches and SQL statements per request come from the counting probe (one request at a time). Noisy: rounds in which other work on the machine took more than ${NOISY_SHARE * 100}% of its CPU.`,
    '',
    summaryTable(results),
    '',
    ...verdicts(results).map((line) => `- ${line}`),
    '',
    '## Per round',
    '',
    "CPU s, CPU ms/req and peak RSS are the gateway process's. Other work: the share of the machine's CPU that none of the bench's processes used.",
    '',
    roundsTable(results),
    '',
    `![throughput and p99 per configuration](${chartFile})`,
    '',
  ].join('\n');
}

function rateText(rate: number | Record<string, number> | undefined): string {
  if (!rate || (typeof rate === 'object' && Object.keys(rate).length === 0)) return '';
  const limits = typeof rate === 'number' ? `${rate}` : Object.entries(rate).map(([workload, value]) => `${value} (${workload})`).join(', ');
  return `, at most ${limits} requests/s in all (the same work for every configuration)`;
}
