/**
 * What a process costs, read from /proc (Linux): CPU time (utime + stime) and resident memory.
 * Used for the servers under test and, through process.cpuUsage(), for the load generator itself.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticksPerSecond: number | undefined;

/** CPU time the process has used so far, in milliseconds (user + system). */
export function cpuMs(pid: number): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at ") ": utime is field 14.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
}

/** Resident set size in KiB (VmRSS). */
export function rssKb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

/** CPU used by a set of processes between start() and the returned function's call, in ms. */
export function cpuMeter(pids: readonly number[]): () => number {
  const start = pids.map(cpuMs);
  return () => pids.reduce((sum, pid, i) => sum + cpuMs(pid) - start[i], 0);
}

/** The load generator's own CPU in ms since the returned function was made. */
export function selfCpuMeter(): () => number {
  const start = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
}

/** The soft limit on open files of this process (children inherit it). */
export function openFileLimit(): number {
  const match = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  return !match || match[1] === 'unlimited' ? Infinity : Number(match[1]);
}

/**
 * Raises this process's open-file limit (soft and hard) to `wanted` with prlimit(1) when it is
 * lower, so the load generator and the instances it spawns (which inherit it) can hold 20,000
 * sockets; raising the hard limit needs root (CAP_SYS_RESOURCE). Returns the limit after.
 */
export function raiseOpenFileLimit(wanted: number): number {
  if (openFileLimit() >= wanted) return openFileLimit();
  try {
    execFileSync('prlimit', [`--pid=${process.pid}`, `--nofile=${wanted}:${wanted}`], {
      stdio: 'ignore',
    });
  } catch {
    // No prlimit, or not allowed: the caller reports the limit as it is.
  }
  return openFileLimit();
}

/**
 * Runs `run` with the processes `pids` stopped (SIGSTOP), and continues them (SIGCONT) afterwards
 * however it ends — also when the bench is interrupted, or they would stay stopped for good.
 */
export async function whileStopped<T>(pids: readonly number[], run: () => Promise<T>): Promise<T> {
  const stopped: number[] = [];
  const resume = () => {
    for (const pid of stopped.splice(0)) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // It has exited meanwhile.
      }
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    resume();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    for (const pid of pids) {
      process.kill(pid, 'SIGSTOP');
      stopped.push(pid);
    }
    return await run();
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    resume();
  }
}
