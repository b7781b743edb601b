/**
 * `--profile`: each timed gateway process runs with `node --cpu-prof`, and
 * this module reads the .cpuprofile files it writes on exit and reports the
 * functions with the most self time, and the packages (or our own folders)
 * they belong to, so an optimization round starts from numbers.
 *
 * A .cpuprofile is V8's sampling profile: a tree of call-frame nodes with hit
 * counts, plus the sample list with time deltas. Self time of a node is its
 * share of the samples; we sum it by function (name + file + line) and by
 * origin.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './processes';

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; hitCount?: number };
type CpuProfile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number };

export type ProfileEntry = { name: string; where: string; selfMs: number; share: number };
export type ProfileSummary = { file: string; totalMs: number; functions: ProfileEntry[]; origins: ProfileEntry[] };

/** Node's arguments that make a process write its CPU and allocation (heap sampling) profiles into `dir` when it exits. */
export const profileArgs = (dir: string) => ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--heap-prof', `--heap-prof-dir=${dir}`];

type HeapNode = { callFrame: CallFrame; selfSize: number; children: HeapNode[] };

/**
 * A .heapprofile (sampling heap profiler): the bytes allocated by each
 * function and still sampled when the process exited, summed by function.
 */
export function summarizeHeapProfile(file: string, top = 15): ProfileSummary {
  const { head } = JSON.parse(readFileSync(file, 'utf8')) as { head: HeapNode };
  const functions = new Map<string, ProfileEntry>();
  let total = 0;
  const visit = (node: HeapNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    if (node.selfSize > 0) {
      total += node.selfSize;
      const where = url ? `${relative(ROOT, url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
      const key = `${functionName}@${where}`;
      const entry = functions.get(key) ?? { name: functionName || '(anonymous)', where, selfMs: 0, share: 0 };
      entry.selfMs += node.selfSize / 1e6;
      functions.set(key, entry);
    }
    for (const child of node.children) visit(child);
  };
  visit(head);
  const sorted = [...functions.values()].map((entry) => ({ ...entry, share: (entry.selfMs * 1e6) / (total || 1) })).sort((a, b) => b.selfMs - a.selfMs);
  return { file: relative(ROOT, file), totalMs: total / 1e6, functions: sorted.slice(0, top), origins: [] };
}

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
  const local = relative(ROOT, path).split('/');
  return local.length > 2 ? `${local[0]}/${local[1]}/${local[2]}`.replace(/\.ts$/, '') : local.join('/');
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = [...selfUs.values()].reduce((sum, us) => sum + us, 0) || 1;
  const functions = new Map<string, ProfileEntry>();
  const origins = new Map<string, ProfileEntry>();
  const add = (map: Map<string, ProfileEntry>, key: string, name: string, where: string, us: number) => {
    const entry = map.get(key) ?? { name, where, selfMs: 0, share: 0 };
    entry.selfMs += us / 1000;
    entry.share = (entry.selfMs * 1000) / totalUs;
    map.set(key, entry);
  };
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    // Idle and GC are kept by name: they say how busy the process was and what allocation cost.
    const name = functionName || '(anonymous)';
    const where = url ? `${relative(ROOT, url.replace(/^file:\/\//, ''))}:${lineNumber + 1}` : '';
    add(functions, `${name}@${where}`, name, where, us);
    add(origins, originOf(url), originOf(url), '', us);
  }
  const sorted = (map: Map<string, ProfileEntry>) => [...map.values()].sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  return { file: relative(ROOT, file), totalMs: totalUs / 1000, functions: sorted(functions), origins: sorted(origins) };
}

/** Every profile of a kind (`.cpuprofile`, `.heapprofile`) a process wrote into `dir` (one per process that exited). */
export function profilesIn(dir: string, extension = '.cpuprofile'): string[] {
  try {
    return readdirSync(dir).filter((name) => name.endsWith(extension)).map((name) => join(dir, name));
  } catch {
    return [];
  }
}

export function renderProfile(label: string, summary: ProfileSummary): string {
  const pct = (share: number) => `${(share * 100).toFixed(1).padStart(5)}%`;
  const lines = [`profile ${label} (${summary.file}, ${(summary.totalMs / 1000).toFixed(1)} s sampled)`, '  by origin:'];
  for (const entry of summary.origins) lines.push(`    ${pct(entry.share)}  ${entry.name}`);
  lines.push('  top functions (self time):');
  for (const entry of summary.functions) lines.push(`    ${pct(entry.share)}  ${entry.name}  ${entry.where}`);
  return lines.join('\n');
}

export function renderHeapProfile(label: string, summary: ProfileSummary): string {
  const lines = [`allocations ${label} (${summary.file}, ${summary.totalMs.toFixed(1)} MB sampled live at exit)`];
  for (const entry of summary.functions) lines.push(`    ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.selfMs.toFixed(1).padStart(6)} MB  ${entry.name}  ${entry.where}`);
  return lines.join('\n');
}
