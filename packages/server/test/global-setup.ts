/**
 * Probes the real services once per vitest run and hands the outcome to the test files (`inject`).
 *
 * - PostgreSQL at TEST_DATABASE_URL.
 * - The Redis Cluster at TEST_REDIS_CLUSTER_NODES (all six nodes; default 127.0.0.1:7001-7006). When none
 *   answers there and `redis-server` is installed, a private 6-node cluster (3 masters + 3 replicas) is
 *   started with `redis-cluster/start.sh` on free ports in a temporary directory, used for the run, then
 *   stopped and deleted at teardown. `npm test` runs vitest three times; each run that needs the cluster
 *   starts its own (about 4 s), so no process outlives a run.
 *
 * A service still missing skips the tests that need it, with the reason in their suite's name and a line at
 * the end of the run (test/skip-summary-reporter.ts). With SYNCTALK_REQUIRE_SERVICES=1 those tests fail
 * instead, each naming the missing service (the setup itself does not throw: vitest would then report
 * "No test files found" before the real reason).
 */
import { Cluster } from 'ioredis';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { clusterNodeList, REDIS_CLUSTER_SIZE, testEnv } from './helpers/env.js';
import {
  privateClusterUnavailable,
  startPrivateRedisCluster,
  type PrivateRedisCluster,
} from './helpers/private-redis-cluster.js';

export interface ServiceStatus {
  postgres: { ok: boolean; reason: string };
  redisCluster: { ok: boolean; reason: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: ServiceStatus;
    /** The Redis Cluster of this run, `host:port` of all six nodes (see helpers/env.ts). */
    redisClusterNodes: string;
  }
}

async function probePostgres(): Promise<ServiceStatus['postgres']> {
  const client = new pg.Client({ connectionString: testEnv.adminDatabaseUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return { ok: true, reason: '' };
  } catch (error) {
    const where = new URL(testEnv.adminDatabaseUrl).host;
    return { ok: false, reason: `not reachable at ${where} (${(error as Error).message})` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

type ClusterProbe = ServiceStatus['redisCluster'] & { reachable: boolean };

async function probeRedisCluster(where: string): Promise<ClusterProbe> {
  const listed = where.split(',').filter((s) => s.trim() !== '').length;
  const cluster = new Cluster(clusterNodeList(where), {
    lazyConnect: true,
    clusterRetryStrategy: () => null,
    redisOptions: { connectTimeout: 2000 },
  });
  cluster.on('error', () => undefined);
  try {
    await cluster.connect();
    const info = await cluster.cluster('INFO');
    const fail = (reason: string) => ({ ok: false, reachable: true, reason });
    if (!String(info).includes('cluster_state:ok')) return fail(`at ${where} is not ok (cluster_state)`);
    const nodes = cluster.nodes('all').length;
    if (nodes < REDIS_CLUSTER_SIZE) {
      return fail(`at ${where} has ${nodes} nodes, expected ${REDIS_CLUSTER_SIZE} (3 masters + 3 replicas)`);
    }
    if (listed !== REDIS_CLUSTER_SIZE) {
      return fail(
        `TEST_REDIS_CLUSTER_NODES lists ${listed} node(s); it must list all ${REDIS_CLUSTER_SIZE} (got ${where})`,
      );
    }
    return { ok: true, reachable: true, reason: '' };
  } catch (error) {
    return { ok: false, reachable: false, reason: `not reachable at ${where} (${(error as Error).message})` };
  } finally {
    cluster.disconnect();
  }
}

/** The configured cluster, or a private one when none answers and redis-server is installed. */
async function redisClusterForRun(): Promise<{
  status: ServiceStatus['redisCluster'];
  nodes: string;
  privateCluster?: PrivateRedisCluster;
}> {
  const where = testEnv.configuredRedisClusterNodes;
  const probe = await probeRedisCluster(where);
  if (probe.ok || probe.reachable) return { status: probe, nodes: where };
  const cannot = privateClusterUnavailable();
  if (cannot) {
    const status = {
      ok: false,
      reason: `${probe.reason}; ${cannot}; or start one with npm run cluster:start`,
    };
    return { status, nodes: where };
  }
  let privateCluster: PrivateRedisCluster;
  try {
    privateCluster = await startPrivateRedisCluster();
  } catch (error) {
    const reason = `${probe.reason}; starting a private cluster failed: ${(error as Error).message}`;
    return { status: { ok: false, reason }, nodes: where };
  }
  const started = await probeRedisCluster(privateCluster.nodesEnv);
  if (!started.ok) {
    await privateCluster.stop();
    return { status: { ok: false, reason: `the private cluster ${started.reason}` }, nodes: where };
  }
  console.log(
    `[synctalk] no Redis Cluster at ${where}: started a private one on ${privateCluster.nodesEnv} for this run`,
  );
  return { status: started, nodes: privateCluster.nodesEnv, privateCluster };
}

export default async function setup(project: TestProject) {
  const [postgres, redis] = await Promise.all([probePostgres(), redisClusterForRun()]);
  const services: ServiceStatus = { postgres, redisCluster: redis.status };
  const missing = [
    ['PostgreSQL', postgres],
    ['the Redis Cluster', redis.status],
  ].flatMap(([name, s]) => (typeof s === 'object' && !s.ok ? [`${name as string}: ${s.reason}`] : []));
  if (missing.length > 0) {
    const what = testEnv.requireServices
      ? 'SYNCTALK_REQUIRE_SERVICES=1: the tests that need these services will fail'
      : 'the tests that need these services will be skipped';
    console.warn(`\n[synctalk] ${what}:\n  ${missing.join('\n  ')}\n`);
  }
  project.provide('services', services);
  project.provide('redisClusterNodes', redis.nodes);
  return async () => {
    await redis.privateCluster?.stop();
  };
}
