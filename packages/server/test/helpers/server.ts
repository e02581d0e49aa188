/** Starts real SyncTalk servers on ephemeral ports for tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Env } from '../../src/config.js';
import type { Logger } from '../../src/platform/logger.js';
import { createServer, type SyncTalkServer } from '../../src/server.js';
import { redisClusterNodes, testEnv } from './env.js';

export interface TestServer {
  server: SyncTalkServer;
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** A PostgreSQL URL; without it an embedded PGlite in a temporary directory. */
  databaseUrl?: string;
  /** 'cluster' uses the test Redis Cluster; 'memory' (default) uses process memory. */
  redis?: 'cluster' | 'memory' | { url: string };
  env?: Env;
  /** Serve the widget bundle from this directory instead of the installed `@synctalk/widget` build. */
  widgetDir?: string;
  /** Log into this logger instead of the configured one (see log-capture.ts). */
  logger?: Logger;
  /** Listen on this port (e.g. the one a stopped server had, to start it again); default: an ephemeral one. */
  port?: number;
}

export const TEST_JWT_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

export function testConfigEnv(options: TestServerOptions = {}): { env: Env; cleanup: () => void } {
  let cleanup = () => {};
  const env: Env = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: testEnv.logLevel,
    JWT_SECRET: TEST_JWT_SECRET,
    BCRYPT_COST: '4',
    STARTUP_RETRIES: '2',
    SHUTDOWN_TIMEOUT: '5s',
  };
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  else {
    const dir = mkdtempSync(join(tmpdir(), 'synctalk-test-'));
    env.SYNCTALK_DATA_DIR = dir;
    cleanup = () => rmSync(dir, { recursive: true, force: true });
  }
  const redis = options.redis ?? 'memory';
  if (redis === 'cluster') env.REDIS_CLUSTER_NODES = redisClusterNodes();
  else if (typeof redis === 'object') env.REDIS_URL = redis.url;
  return { env: { ...env, ...options.env }, cleanup };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { env, cleanup } = testConfigEnv(options);
  const config = loadConfig(env);
  let server: SyncTalkServer;
  try {
    server = await createServer(config, { widgetDir: options.widgetDir, logger: options.logger });
  } catch (error) {
    cleanup();
    throw error;
  }
  const { port } = await server.listen(options.port ?? 0, '127.0.0.1');
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await server.close();
      cleanup();
    },
  };
}
