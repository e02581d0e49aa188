/**
 * Where the test services live. Defaults match `redis-cluster/start.sh` and the local PostgreSQL;
 * override with TEST_DATABASE_URL and TEST_REDIS_CLUSTER_NODES.
 */
export const testEnv = {
  /** An admin connection used to create and drop one database per test file. */
  adminDatabaseUrl: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redisClusterNodes:
    process.env.TEST_REDIS_CLUSTER_NODES ??
    '127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003,127.0.0.1:7004,127.0.0.1:7005,127.0.0.1:7006',
  requireServices: ['1', 'true', 'yes'].includes(process.env.SYNCTALK_REQUIRE_SERVICES ?? ''),
  logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
};

export function clusterNodeList(): { host: string; port: number }[] {
  return testEnv.redisClusterNodes.split(',').map((s) => {
    const [host, port] = s.trim().split(':');
    return { host: host!, port: Number(port) };
  });
}
