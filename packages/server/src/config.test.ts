import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const base = { NODE_ENV: 'test' };

function errorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('defaults to the embedded database and in-memory state', () => {
    const config = loadConfig(base);
    expect(config.database).toMatchObject({ kind: 'pglite' });
    expect(config.database.kind === 'pglite' && config.database.dataDir).toMatch(/\.synctalk[/\\]db$/);
    expect(config.redis).toEqual({ kind: 'memory' });
    expect(config.http.port).toBe(3000);
    expect(config.auth.accessTtlSeconds).toBe(900);
    expect(config.auth.bcryptCost).toBe(12);
  });

  it('reads the webhook settings, with safe defaults', () => {
    expect(loadConfig(base).webhooks).toEqual({
      enabled: true,
      allowPrivate: false,
      timeoutMs: 10_000,
      retryWindowMs: 86_400_000,
      retryBaseMs: 10_000,
      retryMaxMs: 3_600_000,
      pollIntervalMs: 1000,
      concurrency: 8,
    });
    const custom = loadConfig({
      ...base,
      WEBHOOKS_ENABLED: 'false',
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_TIMEOUT: '2s',
      WEBHOOK_RETRY_WINDOW: '3d',
      WEBHOOK_RETRY_BASE: '500ms',
      WEBHOOK_RETRY_MAX: '5m',
      WEBHOOK_POLL_INTERVAL: '250ms',
      WEBHOOK_CONCURRENCY: '32',
    }).webhooks;
    expect(custom).toEqual({
      enabled: false,
      allowPrivate: true,
      timeoutMs: 2000,
      retryWindowMs: 3 * 86_400_000,
      retryBaseMs: 500,
      retryMaxMs: 300_000,
      pollIntervalMs: 250,
      concurrency: 32,
    });
    expect(errorFor({ WEBHOOK_RETRY_BASE: '1h', WEBHOOK_RETRY_MAX: '10s' }).message).toMatch(
      /^Invalid WEBHOOK_RETRY_MAX: must not be shorter than WEBHOOK_RETRY_BASE/,
    );
    expect(errorFor({ WEBHOOK_CONCURRENCY: '0' }).variable).toBe('WEBHOOK_CONCURRENCY');
    expect(errorFor({ WEBHOOK_ALLOW_PRIVATE: 'maybe' }).variable).toBe('WEBHOOK_ALLOW_PRIVATE');
    expect(errorFor({ WEBHOOK_TIMEOUT: '10ms' }).variable).toBe('WEBHOOK_TIMEOUT');
  });

  it('chooses PostgreSQL, a Redis Cluster or a single Redis from the variables', () => {
    const config = loadConfig({
      ...base,
      DATABASE_URL: 'postgres://u@db:5432/app',
      REDIS_CLUSTER_NODES: 'r1:7001, r2:7002',
    });
    expect(config.database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@db:5432/app',
      poolMax: 10,
      acquireTimeoutMs: 3000,
    });
    expect(config.redis).toEqual({
      kind: 'cluster',
      adapter: 'sharded',
      nodes: [
        { host: 'r1', port: 7001 },
        { host: 'r2', port: 7002 },
      ],
    });
    expect(loadConfig({ ...base, REDIS_URL: 'redis://cache:6379' }).redis).toMatchObject({ kind: 'single' });
  });

  it('parses durations with units', () => {
    const config = loadConfig({ ...base, JWT_ACCESS_TTL: '5m', SHUTDOWN_TIMEOUT: '1500ms' });
    expect(config.auth.accessTtlSeconds).toBe(300);
    expect(config.shutdownTimeoutMs).toBe(1500);
    expect(config.realtime.headsIntervalMs).toBe(30_000);
    expect(loadConfig({ ...base, ROOM_HEADS_INTERVAL: '250ms' }).realtime.headsIntervalMs).toBe(250);
  });

  it.each([
    ['PORT', { PORT: 'eighty' }],
    ['PORT', { PORT: '70000' }],
    ['DATABASE_URL', { DATABASE_URL: 'not a url' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://db/app' }],
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'r1:7001,r2' }],
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: 'r1:99999' }],
    ['REDIS_URL', { REDIS_URL: 'http://cache' }],
    ['REDIS_URL', { REDIS_URL: 'redis://a:1', REDIS_CLUSTER_NODES: 'b:2' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['JWT_SECRET', { JWT_SECRET: 'short' }],
    ['JWT_ACCESS_TTL', { JWT_ACCESS_TTL: 'soon' }],
    ['CORS_ORIGINS', { CORS_ORIGINS: 'https://ok.example,example.com' }],
    ['BCRYPT_COST', { BCRYPT_COST: '31' }],
    ['DEMO_PAGE', { DEMO_PAGE: 'maybe' }],
    ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.0/8,proxy.internal' }],
    ['TRUST_PROXY', { TRUST_PROXY: '10.0.0.0/33' }],
    ['JWT_REFRESH_GRACE', { JWT_REFRESH_GRACE: 'a while' }],
    ['SOCKET_EVENT_RATE', { SOCKET_EVENT_RATE: '0' }],
    ['ROOM_HEADS_INTERVAL', { ROOM_HEADS_INTERVAL: '50ms' }],
    ['ROOM_HEADS_INTERVAL', { ROOM_HEADS_INTERVAL: '2h' }],
    ['ROOM_HEADS_INTERVAL', { ROOM_HEADS_INTERVAL: 'often' }],
    ['METRICS_PORT', { METRICS_PORT: '70000' }],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'short' }],
  ])('names %s when it is invalid', (variable, env) => {
    const error = errorFor(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
    expect(error.message).not.toContain('\n');
  });

  it('refuses to run in production without an explicit JWT secret', () => {
    const error = errorFor({ NODE_ENV: 'production' });
    expect(error.variable).toBe('JWT_SECRET');
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) });
    expect(config.auth.jwtSecret).toBe('x'.repeat(32));
    expect(config.auth.jwtSecretSource).toBe('env');
  });

  it('says where a secret it made up is kept: the data directory in development, nowhere in tests', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'synctalk-config-'));
    try {
      const dev = loadConfig({ NODE_ENV: 'development', SYNCTALK_DATA_DIR: dataDir });
      expect(dev.auth.jwtSecretSource).toBe('data-dir');
      expect(dev.auth.jwtSecretFile).toBe(join(dataDir, 'dev-secret'));
      expect(readFileSync(join(dataDir, 'dev-secret'), 'utf8').trim()).toBe(dev.auth.jwtSecret);
      expect(loadConfig({ NODE_ENV: 'test' }).auth.jwtSecretSource).toBe('process');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('tells a given CORS_ORIGINS from the default one', () => {
    const secret = { JWT_SECRET: 'x'.repeat(32), NODE_ENV: 'test' };
    expect(loadConfig(secret).sites.defaultOriginsSet).toBe(false);
    expect(loadConfig({ ...secret, CORS_ORIGINS: '' }).sites.defaultOriginsSet).toBe(false);
    const given = loadConfig({ ...secret, CORS_ORIGINS: 'https://shop.example' }).sites;
    expect(given).toMatchObject({ defaultOrigins: ['https://shop.example'], defaultOriginsSet: true });
  });

  it('serves the demo page by default in development only, unless DEMO_PAGE says otherwise', () => {
    const secret = { JWT_SECRET: 'x'.repeat(32) };
    expect(loadConfig({ ...secret, NODE_ENV: 'development' }).demo.enabled).toBe(true);
    expect(loadConfig({ ...secret, NODE_ENV: 'production' }).demo.enabled).toBe(false);
    expect(loadConfig(base).demo.enabled).toBe(false);
    expect(loadConfig({ ...secret, NODE_ENV: 'development', DEMO_PAGE: 'false' }).demo.enabled).toBe(false);
    expect(loadConfig({ ...secret, NODE_ENV: 'production', DEMO_PAGE: '1' }).demo.enabled).toBe(true);
    expect(errorFor({ DEMO_PAGE: 'on' }).message).toBe(
      'Invalid DEMO_PAGE: must be true or false (or 1/0, yes/no)',
    );
  });

  it('reads TRUST_PROXY as off, a hop count or a list of proxy addresses', () => {
    const trust = (value: string) => loadConfig({ ...base, TRUST_PROXY: value }).http.trustProxy;
    expect(loadConfig(base).http.trustProxy).toBe(false);
    expect(trust('false')).toBe(false);
    expect(trust('0')).toBe(false);
    expect(trust('true')).toEqual({ hops: 1 });
    expect(trust('1')).toEqual({ hops: 1 });
    expect(trust('2')).toEqual({ hops: 2 });
    expect(trust('10.0.0.0/8, 172.16.0.1,::1,fd00::/8')).toEqual({
      cidrs: ['10.0.0.0/8', '172.16.0.1', '::1', 'fd00::/8'],
    });
    expect(errorFor({ TRUST_PROXY: '10.0.0.0/8,proxy.internal' }).message).toContain(
      '"proxy.internal" is not an IP address or CIDR range',
    );
  });

  it('keeps metrics off the public port unless a metrics port or token is given', () => {
    expect(loadConfig(base).metrics).toEqual({
      enabled: true,
      port: undefined,
      host: '127.0.0.1',
      token: undefined,
    });
    const token = 't'.repeat(32);
    expect(loadConfig({ ...base, METRICS_PORT: '9464', METRICS_TOKEN: token }).metrics).toMatchObject({
      port: 9464,
      token,
    });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ ...base, DATABASE_URL: '', PORT: '' }).database.kind).toBe('pglite');
  });
});
