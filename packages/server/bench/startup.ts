/**
 * Start-up benchmark of the embedded default: how long `node dist/main.js` (what `npm start` runs after its
 * build), with no DATABASE_URL and no Redis, takes to answer `GET /healthz` on a new data directory (the
 * first start: PGlite's initdb, every migration, the default site) and again on the same directory (a
 * restart). Each run also times, right before, what no server can beat on this machine, so the figures read
 * as ratios as well as seconds (a shared machine's load moves them all together):
 *
 * - a bare Node.js process that imports nothing (start to exit);
 * - a bare PGlite opening an empty directory, and reopening it (start to `select 1` answered).
 *
 * Each start is stopped with SIGTERM and waited for before the next one. Reported: the median of the runs,
 * and, for the server, when its log said the database was ready (modules loaded, PGlite open, migrations
 * applied) and when it said it listens.
 *
 * `--compare <main.js>` also times another build (e.g. one of an earlier commit) in every run, right after
 * this one, so two builds meet the same load.
 *
 *   npm run bench:startup [-- --runs 3] [--compare path/to/dist/main.js]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { positive } from './bench-client.js';
import { processCpuMs } from './cpu-time.js';

const MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));
// No server or command may wait longer than this for its first start (initdb included) on a slow machine.
const START_TIMEOUT_MS = 180_000;
const GOALS = { first: 8000, restart: 2000 };

/** Only what a shell would pass on: no DATABASE_URL, no Redis, none of the benchmark's own settings. */
function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...extra };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Wall and CPU milliseconds (the process's own, all its threads) a start took. */
interface Timing {
  wall: number;
  cpu: number;
}

// What a baseline process prints once it got where it was going: `ready <CPU ms used so far>`.
const READY = `console.log('ready', (({ user, system }) => (user + system) / 1000)(process.cpuUsage()))`;

/** Runs `node args…` to its exit; resolves with the time from spawn to its line `ready <cpu ms>`. */
function timeNode(args: string[]): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let ready: Timing | undefined;
    let output = '';
    const child = spawn(process.execPath, args, { cwd: PACKAGE_DIR, env: childEnv(), stdio: 'pipe' });
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = /^ready (\S+)$/m.exec(output);
      if (!ready && line) ready = { wall: performance.now() - started, cpu: Number(line[1]) };
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0 || !ready) reject(new Error(`node ${args.join(' ')} exited with ${code}:\n${output}`));
      else resolve(ready);
    });
  });
}

/** A Node.js process that imports nothing. */
const BARE_NODE = READY;

// PGlite as the server opens it (a directory on disk), timed to its first answer.
const BARE_PGLITE = `
import { PGlite } from '@electric-sql/pglite';
const db = new PGlite(process.argv[1]);
await db.query('select 1');
${READY};
await db.close();
`;

interface ServerStart {
  /** ms from spawn to the log line naming the database (modules loaded, PGlite open, migrations applied). */
  database: number;
  /** ms from spawn to the "listening" log line. */
  listening: number;
  /** ms from spawn to `GET /healthz` answering 200, asked right after the "listening" line. */
  healthz: number;
  /** CPU ms the server process used until then (NaN without `/proc`). */
  cpu: number;
  /** ms from SIGTERM to the process's exit. */
  stop: number;
}

/** Starts the server on `dataDir`, times it to `GET /healthz`, then stops it (SIGTERM) and waits for its exit. */
async function timeServer(dataDir: string, main = MAIN): Promise<ServerStart> {
  const port = await freePort();
  const startedAt = Date.now();
  const started = performance.now();
  const child = spawn(process.execPath, [main], {
    cwd: PACKAGE_DIR,
    env: childEnv({ SYNCTALK_DATA_DIR: dataDir, PORT: String(port), LOG_FORMAT: 'json' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  let pending = '';
  let database: number | undefined;
  const listening = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the server did not listen within ${START_TIMEOUT_MS / 1000} s:\n${output}`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening:\n${output}`));
    });
    const onData = (chunk: Buffer) => {
      if (output.length < 20_000) output += chunk.toString();
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.startsWith('{')) continue;
        const entry = JSON.parse(line) as { msg?: string; time?: string | number };
        // The server's own clock for when it got there (an ISO time): a busy pipe must not count against it.
        if (entry.msg?.startsWith('database: '))
          database = new Date(entry.time ?? Date.now()).getTime() - startedAt;
        if (entry.msg?.startsWith('SyncTalk listening')) {
          clearTimeout(timer);
          resolve(performance.now() - started);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
  try {
    const listened = await listening;
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    const healthz = performance.now() - started;
    const cpu = processCpuMs(child.pid!) ?? NaN;
    if (res.status !== 200) throw new Error(`GET /healthz answered ${res.status}`);
    const stopping = performance.now();
    child.kill('SIGTERM');
    const code = await exited;
    if (code !== 0) throw new Error(`the server exited with ${code} after SIGTERM:\n${output}`);
    return {
      database: database ?? NaN,
      listening: listened,
      healthz,
      cpu,
      stop: performance.now() - stopping,
    };
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    throw error;
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
  const { values } = parseArgs({
    options: { runs: { type: 'string', default: '3' }, compare: { type: 'string' } },
  });
  const runs = positive('--runs', values.runs, 50);
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build the server first (npm run build)`);
  const compare = values.compare === undefined ? undefined : resolve(values.compare);
  if (compare && !existsSync(compare)) throw new Error(`--compare: ${compare} is missing`);

  const samples = {
    node: [] as Timing[],
    pgliteFirst: [] as Timing[],
    pgliteReopen: [] as Timing[],
    first: [] as ServerStart[],
    restart: [] as ServerStart[],
    otherFirst: [] as ServerStart[],
    otherRestart: [] as ServerStart[],
  };
  const scratch = mkdtempSync(join(tmpdir(), 'synctalk-startup-'));
  try {
    // Baselines right before the starts they are compared with, in every run: load changes minute to minute.
    for (let run = 1; run <= runs; run++) {
      samples.node.push(await timeNode(['-e', BARE_NODE]));
      const pgliteDir = join(scratch, `pglite-${run}`);
      samples.pgliteFirst.push(await timeNode(['--input-type=module', '-e', BARE_PGLITE, pgliteDir]));
      samples.pgliteReopen.push(await timeNode(['--input-type=module', '-e', BARE_PGLITE, pgliteDir]));
      const dataDir = join(scratch, `server-${run}`);
      const first = await timeServer(dataDir);
      const restart = await timeServer(dataDir);
      samples.first.push(first);
      samples.restart.push(restart);
      if (compare) {
        const otherDir = join(scratch, `compared-${run}`);
        samples.otherFirst.push(await timeServer(otherDir, compare));
        samples.otherRestart.push(await timeServer(otherDir, compare));
      }
      console.log(
        `run ${run}/${runs}: first start ${seconds(first.healthz)}, restart ${seconds(restart.healthz)} ` +
          `(bare PGlite ${seconds(samples.pgliteFirst.at(-1)!.wall)} / ${seconds(samples.pgliteReopen.at(-1)!.wall)}, ` +
          `bare node ${seconds(samples.node.at(-1)!.wall)})`,
      );
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  const of = <T>(list: T[], pick: (t: T) => number) => median(list.map(pick));
  const node = { wall: of(samples.node, (t) => t.wall), cpu: of(samples.node, (t) => t.cpu) };
  const rows = [
    { name: 'first start', starts: samples.first, bare: samples.pgliteFirst, goal: GOALS.first },
    { name: 'restart', starts: samples.restart, bare: samples.pgliteReopen, goal: GOALS.restart },
  ];
  if (compare) {
    console.log(`compared build: ${compare}`);
    rows.push(
      {
        name: 'first start, compared build',
        starts: samples.otherFirst,
        bare: samples.pgliteFirst,
        goal: GOALS.first,
      },
      {
        name: 'restart, compared build',
        starts: samples.otherRestart,
        bare: samples.pgliteReopen,
        goal: GOALS.restart,
      },
    );
  }
  console.log(
    `\nmedians of ${runs} runs; bare node ${seconds(node.wall)} (CPU ${seconds(node.cpu)}); ` +
      "CPU: the process's own, all threads, until it answered",
  );
  console.log(
    '| start | database ready | GET /healthz | CPU | bare PGlite | CPU | ÷ bare PGlite | ÷ bare node | stop | goal |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const row of rows) {
    const healthz = of(row.starts, (s) => s.healthz);
    const bare = of(row.bare, (t) => t.wall);
    console.log(
      `| ${row.name} | ${seconds(of(row.starts, (s) => s.database))} | ${seconds(healthz)} | ` +
        `${seconds(of(row.starts, (s) => s.cpu))} | ${seconds(bare)} | ${seconds(of(row.bare, (t) => t.cpu))} | ` +
        `${(healthz / bare).toFixed(2)}× | ${(healthz / node.wall).toFixed(0)}× | ` +
        `${seconds(of(row.starts, (s) => s.stop))} | ` +
        `< ${seconds(row.goal)}: ${healthz < row.goal ? 'met' : 'not met'} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
