/**
 * Where the CPU went during a measured window, and the gateway's peak memory,
 * read from Linux's /proc: CPU time of a process is utime + stime of
 * /proc/<pid>/stat; the machine's busy and stolen time come from /proc/stat.
 *
 * Contract: `watchWindow` measures from its call to `finish()`. The gateway's
 * peak is the kernel's high-water mark (VmHWM), reset at the start by writing
 * 5 to /proc/<pid>/clear_refs (Linux 4.0+); where that is not allowed it falls
 * back to the largest VmRSS polled every 100 ms, and says so. `foreignCpuSec`
 * is the machine's busy time that none of the bench's processes (gateway,
 * subgraphs, database, load generator) used: other work on the machine, which
 * makes that run's numbers unreliable.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** CPU seconds (user + system) the process has used so far; NaN when it cannot be read (gone, or not on this machine). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; fields are counted after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return NaN;
  }
}

/** Busy and stolen CPU seconds of the whole machine so far, summed over its cores. */
function machineCpu(): { busy: number; steal: number } {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return { busy: (user + nice + system + irq + softirq) / clockTicks(), steal: (steal ?? 0) / clockTicks() };
}

function statusKb(pid: number, key: 'VmHWM' | 'VmRSS'): number {
  try {
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

const sumCpu = (pids: number[]) => pids.reduce((sum, pid) => sum + (cpuSeconds(pid) || 0), 0);

/** The process and its children (a gateway with worker processes); read from /proc, so a child that restarts is found again. */
export function withChildren(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent's pid; the command name (field 2) may hold spaces, so read after its ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return [pid, ...children];
}

export type WindowUsage = {
  gateway: { cpuSec: number; peakRssMb: number; peakSource: 'VmHWM' | 'polled VmRSS' };
  /** CPU seconds of each part of the system under test and of everything else, over the window. */
  cpuSec: { subgraphs: number; database: number | null; loadGenerator: number; machineBusy: number; steal: number; foreign: number };
};

export type WindowParts = {
  gateway: number;
  subgraphs: number[];
  /** The database's processes (the embedded one, or this database's PostgreSQL backends); null when not on this machine. */
  databasePids: () => Promise<number[] | null>;
};

export async function watchWindow(parts: WindowParts): Promise<{ finish(): Promise<WindowUsage> }> {
  const databaseAtStart = new Map<number, number>();
  const startPids = await parts.databasePids();
  for (const pid of startPids ?? []) databaseAtStart.set(pid, cpuSeconds(pid));
  // A gateway with worker processes counts them all: CPU summed, peak memory as the sum of each process's peak.
  const gatewayPids = withChildren(parts.gateway);
  const gatewayAtStart = sumCpu(gatewayPids);
  const subgraphsAtStart = sumCpu(parts.subgraphs);
  const ownAtStart = process.cpuUsage();
  const machineAtStart = machineCpu();
  let resetWorked = true;
  try {
    for (const pid of gatewayPids) writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    resetWorked = false;
  }
  let polledPeakKb = 0;
  const sumStatus = (key: 'VmHWM' | 'VmRSS') => gatewayPids.reduce((sum, pid) => sum + statusKb(pid, key), 0);
  const poll = () => {
    polledPeakKb = Math.max(polledPeakKb, sumStatus('VmRSS'));
  };
  poll();
  const timer = setInterval(poll, 100);

  return {
    async finish() {
      clearInterval(timer);
      poll();
      const machine = machineCpu();
      const own = process.cpuUsage(ownAtStart);
      const gateway = sumCpu(gatewayPids) - gatewayAtStart;
      const subgraphs = sumCpu(parts.subgraphs) - subgraphsAtStart;
      const endPids = await parts.databasePids();
      let database: number | null = null;
      if (startPids && endPids) {
        // A backend that started during the window counts whole; one that ended during it is lost (rare: pools keep theirs).
        database = endPids.reduce((sum, pid) => sum + ((cpuSeconds(pid) || 0) - (databaseAtStart.get(pid) || 0)), 0);
      }
      const loadGenerator = (own.user + own.system) / 1e6;
      const machineBusy = machine.busy - machineAtStart.busy;
      const peakKb = resetWorked ? Math.max(sumStatus('VmHWM'), polledPeakKb) : polledPeakKb;
      return {
        gateway: { cpuSec: gateway, peakRssMb: peakKb / 1024, peakSource: resetWorked ? 'VmHWM' : 'polled VmRSS' },
        cpuSec: {
          subgraphs,
          database,
          loadGenerator,
          machineBusy,
          steal: machine.steal - machineAtStart.steal,
          foreign: Math.max(0, machineBusy - gateway - subgraphs - (database ?? 0) - loadGenerator),
        },
      };
    },
  };
}
