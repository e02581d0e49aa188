/**
 * A throw-away 6-node Redis Cluster of one's own, started with `redis-cluster/start.sh` on a free port range
 * and a temporary directory, for tests (and benchmarks) that break the cluster on purpose: the shared test
 * cluster on 7001-7006 is used by other test files at the same time and must never be touched.
 *
 * ```ts
 * const rc = await startPrivateRedisCluster();
 * const env = { REDIS_CLUSTER_NODES: rc.nodesEnv };
 * process.kill(rc.pidOf(7103), 'SIGKILL');   // crash one node
 * await rc.stop();                           // always, in afterAll
 * ```
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portFree } from './ports.js';

const SCRIPTS = fileURLToPath(new URL('../../../../redis-cluster/', import.meta.url));
const HOST = '127.0.0.1';
/** Redis listens on the port and its cluster bus on port + 10000. */
const BUS_OFFSET = 10_000;

export interface PrivateRedisCluster {
  basePort: number;
  /** The six nodes, `basePort` to `basePort + 5`. */
  nodes: { host: string; port: number }[];
  /** `REDIS_CLUSTER_NODES` for servers on this cluster. */
  nodesEnv: string;
  /** The run directory (config, logs, pid files). */
  dir: string;
  /** The pid of the redis-server on `port` (from its pid file). */
  pidOf(port: number): number;
  /** Starts the node on `port` again (after a kill) with its config and cluster state; resolves once it answers. */
  restart(port: number): Promise<void>;
  /** Stops every node and deletes the directory; safe to call twice. */
  stop(): Promise<void>;
}

/** Why a private cluster cannot be started here (redis-server or redis-cli missing), or undefined. */
export function privateClusterUnavailable(): string | undefined {
  for (const bin of ['redis-server', 'redis-cli']) {
    if (spawnSync(bin, ['--version'], { stdio: 'ignore' }).status !== 0) {
      return `${bin} is not installed (a private Redis Cluster needs it)`;
    }
  }
  return undefined;
}

/**
 * A base port whose six ports and six bus ports are free. Starts at a random step above 7100 so files
 * probing at the same time rarely pick the same range (start.sh refuses nothing, so the caller checks
 * it really started every node).
 */
export async function findFreeBasePort(): Promise<number> {
  const first = 7101 + 10 * Math.floor(Math.random() * 80);
  for (let i = 0; i < 200; i += 1) {
    const base = 7101 + ((first - 7101 + i * 10) % 2000);
    let free = true;
    for (let k = 0; k < 6 && free; k += 1) {
      free = (await portFree(base + k)) && (await portFree(base + k + BUS_OFFSET));
    }
    if (free) return base;
  }
  throw new Error('no free port range for a private Redis Cluster between 7101 and 9100');
}

function run(script: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('bash', [join(SCRIPTS, script)], { env, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${script} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout + stderr);
    });
  });
}

/** Starts a private cluster on `basePort` (default: a free range) and waits until it is ready. */
export async function startPrivateRedisCluster(
  options: { basePort?: number } = {},
): Promise<PrivateRedisCluster> {
  const basePort = options.basePort ?? (await findFreeBasePort());
  const dir = mkdtempSync(join(tmpdir(), 'synctalk-redis-'));
  const env = {
    ...process.env,
    REDIS_CLUSTER_BASE_PORT: String(basePort),
    REDIS_CLUSTER_DIR: dir,
  };
  const nodes = Array.from({ length: 6 }, (_, i) => ({ host: HOST, port: basePort + i }));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    process.off('exit', stopNow);
    await run('stop.sh', env, 30_000).catch(() => stopNow());
    rmSync(dir, { recursive: true, force: true });
  };
  // Last resort when the process ends without afterAll (e.g. interrupted): nothing may outlive the run.
  function stopNow() {
    if (stopped) return;
    stopped = true;
    spawnSync('bash', [join(SCRIPTS, 'stop.sh')], { env, timeout: 20_000, stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
  process.once('exit', stopNow);

  const pidOf = (port: number): number => {
    const pid = Number(readFileSync(join(dir, String(port), 'redis.pid'), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid for redis node ${port}`);
    return pid;
  };
  try {
    await run('start.sh', env, 120_000);
    // start.sh reuses a node that already answers: every pid file must be ours, or the range was taken.
    for (const { port } of nodes) {
      if (!existsSync(join(dir, String(port), 'redis.pid'))) {
        throw new Error(`port ${port} was taken by another Redis while starting the private cluster`);
      }
    }
  } catch (error) {
    // Only stop what this call started (the pid files in our directory), never someone else's nodes.
    if (nodes.every(({ port }) => existsSync(join(dir, String(port), 'redis.pid')))) await stop();
    else {
      stopped = true;
      process.off('exit', stopNow);
      for (const { port } of nodes) {
        try {
          process.kill(pidOf(port), 'SIGKILL');
        } catch {
          // not ours or already gone
        }
      }
      rmSync(dir, { recursive: true, force: true });
    }
    throw error;
  }
  const restart = async (port: number) => {
    const started = spawnSync('redis-server', [join(dir, String(port), 'redis.conf')], { encoding: 'utf8' });
    if (started.status !== 0) throw new Error(`redis node ${port} did not start: ${started.stderr}`);
    for (let i = 0; i < 100; i += 1) {
      const ping = spawnSync('redis-cli', ['-h', HOST, '-p', String(port), 'ping'], { encoding: 'utf8' });
      if (ping.stdout.includes('PONG')) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`redis node ${port} does not answer after a restart`);
  };
  return {
    basePort,
    nodes,
    nodesEnv: nodes.map((n) => `${n.host}:${n.port}`).join(','),
    dir,
    pidOf,
    restart,
    stop,
  };
}
