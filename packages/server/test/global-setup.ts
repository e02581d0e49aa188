/**
 * Probes the real services once per run. With SYNCTALK_REQUIRE_SERVICES=1 a missing service fails the run;
 * otherwise tests that need it are skipped with the reason in their name.
 */
import { Cluster } from 'ioredis';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { clusterNodeList, testEnv } from './helpers/env.js';

export interface ServiceStatus {
  postgres: { ok: boolean; reason: string };
  redisCluster: { ok: boolean; reason: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    services: ServiceStatus;
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
    return { ok: false, reason: `PostgreSQL not reachable at ${where} (${(error as Error).message})` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function probeRedisCluster(): Promise<ServiceStatus['redisCluster']> {
  const where = testEnv.redisClusterNodes;
  const cluster = new Cluster(clusterNodeList(), {
    lazyConnect: true,
    clusterRetryStrategy: () => null,
    redisOptions: { connectTimeout: 2000 },
  });
  cluster.on('error', () => undefined);
  try {
    await cluster.connect();
    const info = await cluster.cluster('INFO');
    if (!String(info).includes('cluster_state:ok'))
      return { ok: false, reason: `Redis Cluster at ${where} is not ok` };
    const nodes = cluster.nodes('all').length;
    if (nodes < 6) return { ok: false, reason: `Redis Cluster at ${where} has ${nodes} nodes, expected 6` };
    return { ok: true, reason: '' };
  } catch (error) {
    return {
      ok: false,
      reason: `Redis Cluster not reachable at ${where} (${(error as Error).message}); start it with npm run cluster:start`,
    };
  } finally {
    cluster.disconnect();
  }
}

export default async function setup(project: TestProject) {
  const [postgres, redisCluster] = await Promise.all([probePostgres(), probeRedisCluster()]);
  const missing = [postgres, redisCluster].filter((s) => !s.ok).map((s) => s.reason);
  if (missing.length > 0) {
    if (testEnv.requireServices) {
      throw new Error(`SYNCTALK_REQUIRE_SERVICES=1 but a service is missing:\n  ${missing.join('\n  ')}`);
    }
    console.warn(`\n[synctalk] service tests will be skipped:\n  ${missing.join('\n  ')}\n`);
  }
  project.provide('services', { postgres, redisCluster });
}
