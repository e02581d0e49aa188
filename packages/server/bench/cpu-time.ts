/**
 * CPU time spent by processes, read from `/proc` (Linux): a figure that, unlike latency, other load on a
 * shared machine barely changes. Elsewhere every reading is `undefined` and benchmarks print no CPU figures.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';

/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** User + system CPU milliseconds `pid` has used so far, or undefined (no `/proc`, process gone). */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), numbered from field 3 (state).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** CPU milliseconds used so far, per process id. */
export type CpuReading = Map<number, number>;

/**
 * CPU milliseconds used so far by each PostgreSQL backend connected to the database of `url` (other than
 * the one asking), when they run on this machine; undefined when one cannot be read.
 */
export async function databaseCpu(url: string): Promise<CpuReading | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    const reading: CpuReading = new Map();
    for (const { pid } of rows) {
      const ms = processCpuMs(pid);
      if (ms === undefined) return undefined;
      reading.set(pid, ms);
    }
    return reading;
  } finally {
    await client.end();
  }
}

/**
 * CPU milliseconds used between two readings by the processes of `after` (a process that started in
 * between counts whole; one that exited in between is missed, so this is a lower bound).
 */
export function cpuBetween(before: CpuReading, after: CpuReading): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}
