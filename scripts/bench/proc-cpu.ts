/** CPU time from /proc (Linux): of one process (all its threads), and of the whole machine. */
import { readFileSync } from 'node:fs';

/** utime + stime of a process in clock ticks (fields 14 and 15 of /proc/<pid>/stat; the name may hold spaces). */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // f[0] is field 3 (state), so field 14 is f[11]
  return Number(f[11]) + Number(f[12]);
}

export interface MachineTicks {
  busy: number;
  total: number;
  /** Share of all cores' time that was busy since `before`. */
  busyShare(before: MachineTicks): number;
}

/** The first line of /proc/stat: all cores; idle = idle + iowait. */
export function machineTicks(): MachineTicks {
  const v = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const busy = total - v[3]! - v[4]!;
  return { busy, total, busyShare: (b) => (busy - b.busy) / Math.max(1, total - b.total) };
}
