/**
 * Per-address limits behind a reverse proxy count the address the trusted proxy saw, not one the client
 * wrote. A client sending its own `X-Forwarded-For` through a proxy that appends to it arrives as
 * `X-Forwarded-For: <anything>, <real address>`; rotating `<anything>` must not reset the guest or sign-in
 * count. With TRUST_PROXY as a list of proxy addresses, the header is read only from a listed peer.
 */
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { newSite, uniqueName } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { useServer } from './helpers/use-server.js';

const limits = {
  GUEST_MAX_PER_IP: '3',
  GUEST_WINDOW: '1h',
  LOGIN_MAX_PER_IP: '5',
  LOGIN_MAX_PER_USERNAME: '100',
  LOGIN_WINDOW: '10m',
};

/** A different made-up address on every call: what the client puts first. */
const forged = () => `${randomInt(1, 224)}.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;

function attacks(t: () => TestServer, site: () => Site, forwardedFor: (real: string) => string) {
  const guest = (real: string) =>
    client(t().url).post('/v1/auth/guest', {
      headers: { 'x-synctalk-site': site().publicId, 'x-forwarded-for': forwardedFor(real) },
      body: { displayName: 'G' },
    });
  const failedLogin = (real: string) =>
    client(t().url).post('/v1/auth/login', {
      headers: { 'x-synctalk-site': site().publicId, 'x-forwarded-for': forwardedFor(real) },
      body: { username: uniqueName('nobody'), password: 'wrong-password' },
    });
  return { guest, failedLogin };
}

describeWith(['postgres'], 'client address behind one trusted proxy (TRUST_PROXY=1)', () => {
  const { t } = useServer({ label: 'proxy_client_hops', env: { ...limits, TRUST_PROXY: '1' } });
  let site: Site;
  const { guest, failedLogin } = attacks(
    () => t,
    () => site,
    (real) => `${forged()}, ${real}`,
  );

  beforeAll(async () => {
    site = (await newSite(t, { settings: { guestsEnabled: true } })).site;
  });

  it('limits guests per real address however the forged first entry rotates', async () => {
    for (let i = 0; i < 3; i += 1) expect((await guest('203.0.113.7')).status).toBe(201);
    for (let i = 0; i < 5; i += 1) {
      const res = await guest('203.0.113.7');
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe('rate_limited');
    }
    // Another real client (what nginx appended differs) has its own count.
    expect((await guest('203.0.113.8')).status).toBe(201);
  });

  it('limits failed sign-ins per real address however the forged first entry rotates', async () => {
    for (let i = 0; i < 5; i += 1) expect((await failedLogin('198.51.100.7')).status).toBe(401);
    for (let i = 0; i < 5; i += 1) {
      const res = await failedLogin('198.51.100.7');
      expect(res.status).toBe(429);
      expect(res.body.error.message).toMatch(/^Too many sign-in attempts from this address/);
    }
    expect((await failedLogin('198.51.100.8')).status).toBe(401);
  });
});

describeWith(['postgres'], 'client address with TRUST_PROXY as a list of proxy addresses', () => {
  let db: TestDatabase;
  let listed: TestServer;
  let unlisted: TestServer;
  let site: Site;

  beforeAll(async () => {
    db = await createTestDatabase('proxy_client_cidrs');
    // The tests connect from 127.0.0.1: a listed proxy for one server, an unknown peer for the other.
    listed = await startTestServer({
      databaseUrl: db.url,
      env: { ...limits, TRUST_PROXY: '127.0.0.0/8, 10.0.0.0/8' },
    });
    unlisted = await startTestServer({ databaseUrl: db.url, env: { ...limits, TRUST_PROXY: '10.0.0.0/8' } });
    site = (await newSite(listed, { settings: { guestsEnabled: true } })).site;
  });
  afterAll(async () => {
    await Promise.all([listed?.close(), unlisted?.close()]);
    await db?.drop();
  });

  it('from a listed peer, skips listed hops from the right and counts the first other address', async () => {
    // forged, client, then two proxies of the list (an inner one appended the outer one).
    const { guest, failedLogin } = attacks(
      () => listed,
      () => site,
      (real) => `${forged()}, ${real}, 10.1.2.3`,
    );
    for (let i = 0; i < 3; i += 1) expect((await guest('203.0.113.7')).status).toBe(201);
    expect((await guest('203.0.113.7')).status).toBe(429);
    expect((await guest('203.0.113.8')).status).toBe(201);

    for (let i = 0; i < 5; i += 1) expect((await failedLogin('198.51.100.7')).status).toBe(401);
    expect((await failedLogin('198.51.100.7')).status).toBe(429);
    expect((await failedLogin('198.51.100.8')).status).toBe(401);
  });

  it('from a peer outside the list, ignores X-Forwarded-For: the peer is the client', async () => {
    const { guest, failedLogin } = attacks(
      () => unlisted,
      () => site,
      (real) => `${forged()}, ${real}`,
    );
    // Each request claims another client; all of them are 127.0.0.1.
    for (let i = 0; i < 3; i += 1) expect((await guest(forged())).status).toBe(201);
    expect((await guest(forged())).status).toBe(429);
    for (let i = 0; i < 5; i += 1) expect((await failedLogin(forged())).status).toBe(401);
    expect((await failedLogin(forged())).status).toBe(429);
  });

  it('believes X-Forwarded-Proto and -Host only from a listed peer', async () => {
    const headers = {
      origin: 'https://chat.example.com',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'chat.example.com',
      'x-synctalk-site': site.publicId,
    };
    const trusted = await client(listed.url).get('/v1/site/public', { headers });
    expect(trusted.status).toBe(200);
    expect(trusted.headers.get('access-control-allow-origin')).toBe('https://chat.example.com');
    expect(trusted.headers.get('strict-transport-security')).toMatch(/^max-age=\d+/);

    const untrusted = await client(unlisted.url).get('/v1/site/public', { headers });
    expect(untrusted.status).toBe(403);
    expect(untrusted.body.error.code).toBe('origin_not_allowed');
    expect(untrusted.headers.get('strict-transport-security')).toBeNull();
  });
});
