/**
 * Guest creation is limited per IP and site (GUEST_MAX_PER_IP per GUEST_WINDOW), counted in the Redis
 * Cluster so every node shares the count: past it, 429 with Retry-After and nothing created.
 */
import { beforeAll, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { countRefreshTokens, countUsers, newSite } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { type TestServer } from './helpers/server.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres', 'redisCluster'], 'Guests: rate limit', () => {
  // Two nodes sharing the database and the cluster: the limit holds across them.
  const env = { GUEST_MAX_PER_IP: '3', GUEST_WINDOW: '1h' };
  const main = useServer({ label: 'guest_limit', services: ['postgres', 'redisCluster'], env });
  const a = main.t;
  const b = useServer({ on: main, services: ['postgres', 'redisCluster'], env }).t;
  let site: Site;
  let another: Site;

  beforeAll(async () => {
    site = (await newSite(a, { settings: { guestsEnabled: true } })).site;
    another = (await newSite(a, { settings: { guestsEnabled: true } })).site;
  });

  const guest = (t: TestServer, s: Site) =>
    client(t.url).post('/v1/auth/guest', {
      headers: { 'x-synctalk-site': s.publicId },
      body: { displayName: 'G' },
    });

  it('allows GUEST_MAX_PER_IP guests per window, then answers 429 with Retry-After', async () => {
    expect((await guest(a, site)).status).toBe(201);
    expect((await guest(b, site)).status).toBe(201);
    expect((await guest(a, site)).status).toBe(201);

    const [users, tokens] = [await countUsers(a), await countRefreshTokens(a)];
    const limited = await guest(b, site);
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(limited.body.error.details).toEqual({ retryAfter });
    expect(limited.headers.get('set-cookie')).toBeNull();
    expect(await countUsers(a)).toBe(users);
    expect(await countRefreshTokens(a)).toBe(tokens);
  });

  it('counts each site separately', async () => {
    expect((await guest(a, another)).status).toBe(201);
  });
});
