/**
 * `--profile`: each timed gateway process runs with `node --cpu-prof
 * --heap-prof` (`--profile-subgraphs`: the six subgraphs with `--cpu-prof`),
 * and this module reads the profiles they write on exit, so an optimization
 * round starts from numbers:
 *
 * - a .cpuprofile is V8's sampling CPU profile: call-frame nodes plus the
 *   sample list with time deltas; a node's self time is the time of its
 *   samples, summed here by function (name + file + line) and by origin (a
 *   package, or one of our folders);
 * - a .heapprofile is the sampling heap profiler's tree of allocations still
 *   live when the process exited, with each node's own bytes, summed here by
 *   function.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './processes';

type CallFrame = { functionName: string; url: string; lineNumber: number };
type CpuProfile = { nodes: { id: number; callFrame: CallFrame }[]; samples: number[]; timeDeltas: number[] };
type HeapNode = { callFrame: CallFrame; selfSize: number; children: HeapNode[] };

/** One function or origin: its amount (milliseconds of self time, or megabytes) and its share of the total. */
export type ProfileEntry = { name: string; where: string; amount: number; share: number };
export type ProfileSummary = { file: string; unit: 'ms' | 'MB'; total: number; functions: ProfileEntry[]; origins: ProfileEntry[] };

/** Node's arguments that make a process write its CPU and allocation profiles into `dir` when it exits. */
export const profileArgs = (dir: string) => ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--heap-prof', `--heap-prof-dir=${dir}`];

/** Where a frame's code comes from: a package name, one of our top-level folders, or node's internals. */
function originOf(url: string): string {
  if (!url) return '(native / V8)';
  if (url.startsWith('node:')) return 'node internals';
  const path = url.replace(/^file:\/\//, '');
  const inModules = path.lastIndexOf('node_modules/');
  if (inModules >= 0) {
    const parts = path.slice(inModules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  // The compiled build (dist/) is named after its sources.
  const local = relative(ROOT, path).replace(/^dist\//, '').split('/');
  return local.length > 2 ? `${local[0]}/${local[1]}/${local[2]}`.replace(/\.[jt]s$/, '') : local.join('/');
}

/** Sums amounts by function and by origin; `summary` sorts and keeps the top entries. */
class Tally {
  private readonly functions = new Map<string, ProfileEntry>();
  private readonly origins = new Map<string, ProfileEntry>();
  private total = 0;

  add({ functionName, url, lineNumber }: CallFrame, amount: number) {
    // Idle and GC are kept by name: they say how busy the process was and what allocation cost.
    const name = functionName || '(anonymous)';
    const where = url ? `${relative(ROOT, url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
    Tally.bump(this.functions, `${name}@${where}`, name, where, amount);
    Tally.bump(this.origins, originOf(url), originOf(url), '', amount);
    this.total += amount;
  }

  summary(file: string, unit: ProfileSummary['unit'], top: number): ProfileSummary {
    const sorted = (map: Map<string, ProfileEntry>) =>
      [...map.values()].map((entry) => ({ ...entry, share: entry.amount / (this.total || 1) })).sort((a, b) => b.amount - a.amount).slice(0, top);
    return { file: relative(ROOT, file), unit, total: this.total, functions: sorted(this.functions), origins: sorted(this.origins) };
  }

  private static bump(map: Map<string, ProfileEntry>, key: string, name: string, where: string, amount: number) {
    const entry = map.get(key) ?? map.set(key, { name, where, amount: 0, share: 0 }).get(key)!;
    entry.amount += amount;
  }
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  return summarizeProfiles([file], file, top);
}

/** Several processes' CPU profiles as one (the six subgraphs: which code costs the most across them), named `label`. */
export function summarizeProfiles(files: string[], label: string, top = 15): ProfileSummary {
  const tally = new Tally();
  for (const file of files) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
    profile.samples.forEach((id, i) => tally.add(frames.get(id)!, (profile.timeDeltas[i] ?? 0) / 1000));
  }
  return tally.summary(label, 'ms', top);
}

export function summarizeHeapProfile(file: string, top = 15): ProfileSummary {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const tally = new Tally();
  const visit = (node: HeapNode) => {
    if (node.selfSize > 0) tally.add(node.callFrame, node.selfSize / 1e6);
    for (const child of node.children) visit(child);
  };
  visit(head);
  return tally.summary(file, 'MB', top);
}

/** Every profile of a kind (`.cpuprofile`, `.heapprofile`) a process wrote into `dir` (one per process that exited). */
export function profilesIn(dir: string, extension = '.cpuprofile'): string[] {
  try {
    return readdirSync(dir).filter((name) => name.endsWith(extension)).map((name) => join(dir, name));
  } catch {
    return [];
  }
}

const percent = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;

export function renderProfile(label: string, summary: ProfileSummary): string {
  const lines = [`profile ${label} (${summary.file}, ${(summary.total / 1000).toFixed(1)} s sampled)`, '  by origin:'];
  for (const entry of summary.origins) lines.push(`    ${percent(entry.share)}  ${entry.name}`);
  lines.push('  top functions (self time):');
  for (const entry of summary.functions) lines.push(`    ${percent(entry.share)}  ${entry.name}  ${entry.where}`);
  return lines.join('\n');
}

export function renderHeapProfile(label: string, summary: ProfileSummary): string {
  const lines = [`allocations ${label} (${summary.file}, ${summary.total.toFixed(1)} MB sampled live at exit)`];
  for (const entry of summary.functions) lines.push(`    ${percent(entry.share)}  ${entry.amount.toFixed(1).padStart(6)} MB  ${entry.name}  ${entry.where}`);
  return lines.join('\n');
}
