import { spawn, type ChildProcess } from 'node:child_process';
import { createServer as createNetServer } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from './helpers/http.js';
import { createTestDatabase, dropDatabase, type TestDatabase } from './helpers/database.js';
import { describeWith } from './helpers/services.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { useServer } from './helpers/use-server.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createNetServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function startRedis(port: number): Promise<ChildProcess> {
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  for (let i = 0; i < 50; i++) {
    const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, retryStrategy: () => null });
    client.on('error', () => undefined);
    const up = await client.connect().then(
      () => client.ping().then(() => true),
      () => false,
    );
    client.disconnect();
    if (up) return proc;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('redis-server did not start');
}

describe('health endpoints (embedded default)', () => {
  const { t } = useServer({ services: [] });

  it('reports the process up and every dependency ready', async () => {
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });
});

describeWith(['postgres'], 'readiness names the failing dependency', () => {
  let db: TestDatabase;
  let redis: ChildProcess;
  let t: TestServer;
  beforeAll(async () => {
    db = await createTestDatabase('readyz');
    const port = await freePort();
    redis = await startRedis(port);
    t = await startTestServer({ databaseUrl: db.url, redis: { url: `redis://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    redis?.kill('SIGKILL');
    await t?.close();
    await db?.drop();
  });

  it('is ready while PostgreSQL and Redis answer', async () => {
    const res = await fetch(`${t.url}/readyz`);
    expect(res.status).toBe(200);
  });

  it('answers 503 naming redis when Redis stops', async () => {
    redis.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const res = await request(t.url, 'GET', '/readyz');
    expect(res.status).toBe(503);
    const body = res.body;
    expect(body.error.code).toBe('unavailable');
    expect(body.error.message).toContain('redis');
    expect(body.error.message).not.toContain('database');
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
  });

  it('answers 503 naming the database when PostgreSQL goes away', async () => {
    await dropDatabase(db.name);
    const res = await request(t.url, 'GET', '/readyz');
    expect(res.status).toBe(503);
    const body = res.body;
    expect(body.error.details.map((d: { dependency: string }) => d.dependency)).toContain('database');
  });
});

describeWith(['postgres'], 'start-up with an unreachable dependency', () => {
  it('gives up after bounded retries with an error naming the dependency', async () => {
    const port = await freePort();
    const db = await createTestDatabase('unreachable');
    try {
      const started = Date.now();
      await expect(
        startTestServer({
          databaseUrl: db.url,
          redis: { url: `redis://127.0.0.1:${port}` },
          env: { STARTUP_RETRIES: '1' },
        }),
      ).rejects.toThrow(/Cannot reach Redis 127\.0\.0\.1:\d+ after 2 attempts/);
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await db.drop();
    }
  });

  it('names PostgreSQL when the database is unreachable', async () => {
    const port = await freePort();
    await expect(
      startTestServer({
        databaseUrl: `postgres://postgres@127.0.0.1:${port}/none`,
        env: { STARTUP_RETRIES: '1' },
      }),
    ).rejects.toThrow(/Cannot reach the database \(PostgreSQL 127\.0\.0\.1:\d+\/none\) after 2 attempts/);
  });
});
