/**
 * CPU time of this process's main (event-loop) thread and of all its other threads (libuv's thread pool, where
 * serialport reads and writes, plus V8's GC and compiler helpers), from Linux /proc. Node 20's threads carry no
 * names, so the two kinds of helper threads cannot be told apart here. Elsewhere (no /proc) it reports nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ThreadCpu {
  /** ms of CPU (user + system) on the event-loop thread. */
  main: number;
  /** ms of CPU on every other thread of the process. */
  others: number;
}

/** Clock ticks per second of /proc's utime/stime: USER_HZ, 100 on every Linux Node runs on. */
const TICKS_PER_SECOND = 100;

/** CPU ms the main thread and the other threads have used so far, or undefined where /proc is missing. */
export function threadCpuMs(): ThreadCpu | undefined {
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return undefined;
  }
  const total: ThreadCpu = { main: 0, others: 0 };
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    // "tid (name) state ...": the name may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat; fields[0] is field 3 (state).
    const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
    if (tid === String(process.pid)) total.main += ms;
    else total.others += ms;
  }
  return total;
}
