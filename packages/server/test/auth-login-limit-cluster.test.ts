import { Cluster } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loginKeys } from '../src/auth/login-limiter.js';
import { defaultSite, newUser } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { clusterNodeList } from './helpers/env.js';
import { describeWith, type Service } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import { type TestServer } from './helpers/server.js';

describeWith(
  ['postgres', 'redisCluster'],
  'sign-in limits shared by two nodes through the Redis Cluster',
  () => {
    const options = {
      services: ['postgres', 'redisCluster'] as Service[],
      // The client address comes from X-Forwarded-For, so the tests know each request's address.
      env: { LOGIN_MAX_PER_USERNAME: '3', TRUST_PROXY: '1' },
    };
    const main = useServer({ label: 'auth-limit-cluster', ...options });
    const a = main.t;
    const b = useServer({ on: main, ...options }).t;
    let raw: Cluster;
    beforeAll(() => {
      raw = new Cluster(clusterNodeList());
    });
    afterAll(() => raw?.disconnect());

    const ADDRESS = '198.51.100.7';
    const login = (node: TestServer, username: string, password: string, from = ADDRESS) =>
      client(node.url).post('/v1/auth/login', {
        body: { username, password },
        headers: { 'x-forwarded-for': from },
      });

    it('counts failures on node A against sign-ins on node B', async () => {
      const { user, password } = await newUser(a);
      const username = user.username!;
      // Alternate nodes: neither sees more than two failures itself.
      expect((await login(a, username, 'nope-1234')).status).toBe(401);
      expect((await login(b, username, 'nope-1234')).status).toBe(401);
      expect((await login(a, username, 'nope-1234')).status).toBe(401);

      const locked = await login(b, username, password);
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('rate_limited');
      expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await login(a, username, password)).status).toBe(429);

      // The counts really live in the cluster, with the window as their expiry: the pair's counts every
      // attempt, the account's those the pair did not refuse.
      const site = await defaultSite(a);
      const pairKey = loginKeys.pair(site.publicId, username.toLowerCase(), ADDRESS);
      expect(Number(await raw.get(pairKey))).toBe(5);
      const ttl = await raw.pttl(pairKey);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(15 * 60 * 1000);
      expect(Number(await raw.get(loginKeys.account(site.publicId, username.toLowerCase())))).toBe(3);

      // Another address is not locked out, on either node.
      expect((await login(b, username, password, '198.51.100.8')).status).toBe(200);
    });

    it('clears the count on every node after a successful sign-in', async () => {
      const { user, password } = await newUser(a);
      const username = user.username!;
      for (let i = 0; i < 2; i += 1) expect((await login(a, username, 'nope-1234')).status).toBe(401);
      expect((await login(b, username, password)).status).toBe(200);
      for (let i = 0; i < 3; i += 1) expect((await login(a, username, 'nope-1234')).status).toBe(401);
      expect((await login(b, username, password)).status).toBe(429);
    });

    it('applies the per-account ceiling across nodes', async () => {
      const { user, password } = await newUser(a);
      const username = user.username!;
      const site = await defaultSite(a);
      // As if the account had collected the default ceiling's worth of failures (1000) elsewhere.
      await raw.set(loginKeys.account(site.publicId, username.toLowerCase()), '1000', 'PX', 60_000);
      const refused = await login(b, username, password, '198.51.100.9');
      expect(refused.status).toBe(429);
      expect(refused.body.error.message).toMatch(/from all addresses/);
      expect((await login(a, username, password, '198.51.100.10')).status).toBe(429);
    });
  },
);
