import { Cluster } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { defaultSite, newUser } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { clusterNodeList } from './helpers/env.js';
import { describeWith } from './helpers/services.js';
import { startTestServer, type TestServer } from './helpers/server.js';

describeWith(
  ['postgres', 'redisCluster'],
  'sign-in limits shared by two nodes through the Redis Cluster',
  () => {
    let db: TestDatabase;
    let a: TestServer;
    let b: TestServer;
    let raw: Cluster;
    beforeAll(async () => {
      db = await createTestDatabase('auth-limit-cluster');
      const options = {
        databaseUrl: db.url,
        redis: 'cluster' as const,
        env: { LOGIN_MAX_PER_USERNAME: '3' },
      };
      a = await startTestServer(options);
      b = await startTestServer(options);
      raw = new Cluster(clusterNodeList());
    });
    afterAll(async () => {
      raw?.disconnect();
      await Promise.all([a?.close(), b?.close()]);
      await db?.drop();
    });

    it('counts failures on node A against sign-ins on node B', async () => {
      const { user, password } = await newUser(a);
      const onA = client(a.url);
      const onB = client(b.url);
      // Alternate nodes: neither sees more than two failures itself.
      expect(
        (await onA.post('/v1/auth/login', { body: { username: user.username, password: 'nope-1234' } }))
          .status,
      ).toBe(401);
      expect(
        (await onB.post('/v1/auth/login', { body: { username: user.username, password: 'nope-1234' } }))
          .status,
      ).toBe(401);
      expect(
        (await onA.post('/v1/auth/login', { body: { username: user.username, password: 'nope-1234' } }))
          .status,
      ).toBe(401);

      const locked = await onB.post('/v1/auth/login', { body: { username: user.username, password } });
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('rate_limited');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await onA.post('/v1/auth/login', { body: { username: user.username, password } })).status).toBe(
        429,
      );

      // The count really lives in the cluster, with the window as its expiry.
      const site = await defaultSite(a);
      const key = `login:user:${site.publicId}:${user.username!.toLowerCase()}`;
      expect(Number(await raw.get(key))).toBe(5);
      const ttl = await raw.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(15 * 60 * 1000);
    });

    it('clears the count on every node after a successful sign-in', async () => {
      const { user, password } = await newUser(a);
      const onA = client(a.url);
      const onB = client(b.url);
      for (let i = 0; i < 2; i += 1) {
        expect(
          (await onA.post('/v1/auth/login', { body: { username: user.username, password: 'nope-1234' } }))
            .status,
        ).toBe(401);
      }
      expect((await onB.post('/v1/auth/login', { body: { username: user.username, password } })).status).toBe(
        200,
      );
      for (let i = 0; i < 3; i += 1) {
        expect(
          (await onA.post('/v1/auth/login', { body: { username: user.username, password: 'nope-1234' } }))
            .status,
        ).toBe(401);
      }
      expect((await onB.post('/v1/auth/login', { body: { username: user.username, password } })).status).toBe(
        429,
      );
    });
  },
);
