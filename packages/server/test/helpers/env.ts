/**
 * Where the test services live. Defaults match `redis-cluster/start.sh` and the local PostgreSQL;
 * override with TEST_DATABASE_URL and TEST_REDIS_CLUSTER_NODES.
 *
 * TEST_REDIS_CLUSTER_NODES must list all six nodes of the cluster (3 masters + 3 replicas, `host:port`,
 * comma-separated): servers under test get the list as their seed nodes, and the tests that follow a
 * failover need a seed that is still up. When no cluster answers there and `redis-server` is installed, the
 * global setup starts a private one for the run (see global-setup.ts): test files ask `redisClusterNodes()`
 * for the nodes actually in use, never this variable.
 */
import { inject } from 'vitest';

export const testEnv = {
  /** An admin connection used to create and drop one database per test file. */
  adminDatabaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  /** The cluster the run should use, as configured (the global setup probes it). */
  configuredRedisClusterNodes:
    process.env.TEST_REDIS_CLUSTER_NODES ??
    '127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003,127.0.0.1:7004,127.0.0.1:7005,127.0.0.1:7006',
  /** Whether TEST_REDIS_CLUSTER_NODES was set (a cluster that answers there is used as it is). */
  redisClusterNodesConfigured: process.env.TEST_REDIS_CLUSTER_NODES !== undefined,
  requireServices: ['1', 'true', 'yes'].includes(process.env.SYNCTALK_REQUIRE_SERVICES ?? ''),
  logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
  /** The fuzz suites' (test/fuzz) seed: FUZZ_SEED replays a run; without it each run draws a new one. */
  fuzzSeed: process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED),
  /** Multiplies the fuzz suites' run counts (FUZZ_SCALE=10 for a ten times longer search). */
  fuzzScale: Number(process.env.FUZZ_SCALE ?? 1),
};

/**
 * How much traffic the chaos scenarios (test/chaos) make: CHAOS_CLIENTS SDK clients, each sending a message
 * every CHAOS_INTERVAL_MS (jittered). `npm test` runs the reduced default; `npm run chaos` a fuller level.
 */
export const chaosLevel = {
  clients: Number(process.env.CHAOS_CLIENTS ?? 8),
  intervalMs: Number(process.env.CHAOS_INTERVAL_MS ?? 100),
};

/** How many nodes TEST_REDIS_CLUSTER_NODES must list. */
export const REDIS_CLUSTER_SIZE = 6;

/**
 * The Redis Cluster of this run (`host:port,...`, six nodes): the configured one, or the private cluster
 * the global setup started because none answered there. Only inside test files (it comes from the setup).
 */
export function redisClusterNodes(): string {
  return inject('redisClusterNodes');
}

export function clusterNodeList(nodes = redisClusterNodes()): { host: string; port: number }[] {
  return nodes.split(',').map((s) => {
    const [host, port] = s.trim().split(':');
    return { host: host!, port: Number(port) };
  });
}
