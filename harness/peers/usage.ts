/**
 * What a local peer costs the machine right now: the CPU time and resident memory of every process
 * in its process group (a peer runs in its own group, so the interpreter or JVM and any child it
 * started count). Read from Linux's /proc; elsewhere there is no answer and the harness bounds a
 * peer's reads by wall time only.
 */
import { readdir, readFile } from 'node:fs/promises';

/** CPU time and memory of a peer's processes. */
export interface PeerUsage {
  /** User plus system CPU time of the live processes, in ms. */
  readonly cpuMs: number;
  /** Resident set size of the live processes, in bytes. */
  readonly rssBytes: number;
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on every Linux the harness runs on). */
const TICKS_PER_SECOND = 100;
/** Bytes per page of /proc's RSS (4 KiB on x86-64 and most arm64 kernels). */
const PAGE_BYTES = 4096;

/**
 * One /proc/<pid>/stat line's state letter, process group, CPU ticks and RSS pages, or undefined when it cannot be
 * read as one (the command name, in parentheses, may hold spaces and parentheses: fields are
 * counted from the last `)`). Never throws.
 */
export function parseStat(
  line: string,
): { state: string; pgrp: number; ticks: number; rssPages: number } | undefined {
  const close = line.lastIndexOf(')');
  if (close < 0) return undefined;
  // Fields from the 3rd (state): state ppid pgrp session tty tpgid flags minflt cminflt majflt
  // cmajflt utime stime cutime cstime priority nice threads itrealvalue starttime vsize rss ...
  const f = line
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const pgrp = Number(f[2]);
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const rss = Number(f[21]);
  if (![pgrp, utime, stime, rss].every(Number.isFinite)) return undefined;
  return { state: f[0] ?? '', pgrp, ticks: utime + stime, rssPages: rss };
}

/**
 * The summed usage of every live process whose process group is `pgid`; undefined where /proc
 * cannot be read (not Linux) or no process of the group is left. Processes that exit while it
 * reads are skipped. Never rejects.
 */
export async function processGroupUsage(pgid: number): Promise<PeerUsage | undefined> {
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  let ticks = 0;
  let pages = 0;
  let found = 0;
  await Promise.all(
    pids.map(async (pid) => {
      let line: string;
      try {
        line = await readFile(`/proc/${pid}/stat`, 'utf8');
      } catch {
        return; // it exited meanwhile
      }
      const s = parseStat(line);
      // A zombie (Z) or dead (X) process is gone, whoever has yet to reap it.
      if (s === undefined || s.pgrp !== pgid || s.state === 'Z' || s.state === 'X') return;
      found++;
      ticks += s.ticks;
      pages += s.rssPages;
    }),
  );
  if (found === 0) return undefined;
  return { cpuMs: (ticks * 1000) / TICKS_PER_SECOND, rssBytes: pages * PAGE_BYTES };
}
