/**
 * Breaking a private Redis Cluster on purpose, and watching it heal: admin connections to its nodes, the
 * layout as they see it, and waits that measure how long the cluster took.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { PrivateRedisCluster } from '../helpers/private-redis-cluster.js';
import { parseNodes } from '../helpers/redis-cluster-inspect.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until true; resolves with the milliseconds it took, rejects naming `what` after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return Math.round(performance.now() - started);
    if (performance.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

export interface RedisAdmin {
  /** A plain connection to the node on `port` (one per port, made on first use). */
  node(port: number): Redis;
  /** The masters, as the node on `from` sees the cluster. */
  masters(from: number): Promise<{ id: string; port: number }[]>;
  /**
   * Whether every node on `ports` answers `cluster_state:ok` and sees three masters serving slots, none
   * failed, and (with `without`) none of them on that port.
   */
  healthy(ports: number[], without?: number): Promise<boolean>;
  /** The node's replication section and the last lines of its log, to explain a wait that failed. */
  describe(port: number): Promise<string>;
  /** Whether the node on `port` is a replica whose link to its master is up. */
  syncedReplica(port: number): Promise<boolean>;
  close(): void;
}

export function redisAdmin(rc: PrivateRedisCluster): RedisAdmin {
  const conns = new Map<number, Redis>();
  const node = (port: number) => {
    let r = conns.get(port);
    if (!r) {
      // Fails fast: the node may be dead or paused on purpose.
      r = new Redis({
        host: '127.0.0.1',
        port,
        maxRetriesPerRequest: 0,
        commandTimeout: 1000,
        connectTimeout: 1000,
      });
      r.on('error', () => undefined);
      conns.set(port, r);
    }
    return r;
  };
  const masters = async (from: number) =>
    parseNodes(String(await node(from).cluster('NODES')))
      .filter((n) => n.master && !n.failed)
      .map(({ id, port }) => ({ id, port }));
  return {
    node,
    masters,
    async healthy(ports, without) {
      for (const port of ports) {
        if (!String(await node(port).cluster('INFO')).includes('cluster_state:ok')) return false;
        const lines = String(await node(port).cluster('NODES'))
          .trim()
          .split('\n');
        // A master serving slots has its ranges after the 8 fixed fields.
        const serving = lines
          .map((l) => l.split(' '))
          .filter((f) => f[2]!.includes('master') && f.length > 8);
        if (serving.length !== 3 || serving.some((f) => f[2]!.includes('fail'))) return false;
        if (serving.some((f) => f[1]!.includes(`:${without}@`))) return false;
      }
      return true;
    },
    async describe(port) {
      const replication = await node(port)
        .info('replication')
        .catch((e: Error) => `no answer: ${e.message}`);
      const log = readFileSync(join(rc.dir, String(port), 'redis.log'), 'utf8')
        .split('\n')
        .slice(-15);
      return `node ${port}: ${replication}\n${log.join('\n')}`;
    },
    async syncedReplica(port) {
      const info = String(await node(port).info('replication'));
      return info.includes('role:slave') && info.includes('master_link_status:up');
    },
    close() {
      for (const r of conns.values()) r.disconnect();
    },
  };
}
