/**
 * A site token works once, also across restarts: without Redis the used `jti`s are kept in the database
 * (`used_site_token_ids`, embedded PGlite or PostgreSQL) until the token expires, and expired ones are purged;
 * with Redis they stay in Redis, shared by every node.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createUserToken } from '@synctalk/sdk/server';
import { sha256 } from '../src/platform/crypto.js';
import type { Site } from '../src/sites/sites.repository.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { newSite } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { describeWith } from './helpers/services.js';

const exchange = (t: TestServer, site: Site, token: string) =>
  client(t.url).post('/v1/auth/site-token', {
    headers: { 'x-synctalk-site': site.publicId },
    body: { token },
  });

const usedRows = (t: TestServer, site: Site) =>
  t.server.db('used_site_token_ids').where({ site_id: site.id }).orderBy('expires_at');

async function expectReplayRefused(t: TestServer, site: Site, token: string) {
  const res = await exchange(t, site, token);
  expect(res.status).toBe(401);
  expect(res.body.error).toMatchObject({ code: 'unauthorized' });
  expect(res.body.error.message).toMatch(/already used/);
}

describe('Site tokens: replay after a restart of the embedded server', () => {
  let dir: string;
  let t: TestServer | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'synctalk-replay-'));
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a token used before the restart, on the same data directory', async () => {
    const env = { SYNCTALK_DATA_DIR: dir };
    t = await startTestServer({ env });
    const { site, secret } = await newSite(t);
    const token = createUserToken({ siteId: site.publicId, siteSecret: secret, userId: 'restart-1' });
    expect((await exchange(t, site, token)).status).toBe(200);
    await t.close();

    t = await startTestServer({ env });
    await expectReplayRefused(t, site, token);
    // The site and its secret came back too: a new token still works.
    const fresh = createUserToken({ siteId: site.publicId, siteSecret: secret, userId: 'restart-1' });
    expect((await exchange(t, site, fresh)).status).toBe(200);
  });
});

describeWith(['postgres'], 'Site tokens: replay protection on PostgreSQL without Redis', () => {
  let db: TestDatabase;
  let t: TestServer | undefined;
  let site: Site;
  let secret: string;

  beforeAll(async () => {
    db = await createTestDatabase('site_token_replay');
    t = await startTestServer({ databaseUrl: db.url });
    ({ site, secret } = await newSite(t));
  });
  afterAll(async () => {
    await t?.close();
    await db?.drop();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('refuses a token used before the restart', async () => {
    const token = createUserToken({ siteId: site.publicId, siteSecret: secret, userId: 'pg-restart' });
    expect((await exchange(t!, site, token)).status).toBe(200);
    await t!.close();
    t = await startTestServer({ databaseUrl: db.url });
    await expectReplayRefused(t, site, token);
  });

  it('keeps a digest of the jti until the token has expired, then purges it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const mint = (jti: string, expiresIn: number) =>
      jwt.sign({ sub: 'purge', site: site.publicId, jti }, secret, { algorithm: 'HS256', expiresIn });
    await usedRows(t!, site).delete();

    const start = Date.now();
    expect((await exchange(t!, site, mint('short-lived', 120))).status).toBe(200);
    expect((await exchange(t!, site, mint('long-lived', 3600))).status).toBe(200);
    const rows = await usedRows(t!, site);
    expect(rows.map((r) => r.jti_hash)).toEqual([sha256('short-lived'), sha256('long-lived')]);
    // Kept until expiry plus the 60 s of clock skew the check allows.
    expect(new Date(rows[0].expires_at).getTime()).toBeGreaterThanOrEqual(start + 170_000);

    // Ten minutes on, the short-lived token is past its expiry: the next exchange purges its row, keeps the
    // other one, and adds its own.
    vi.setSystemTime(start + 10 * 60_000);
    expect((await exchange(t!, site, mint('later', 120))).status).toBe(200);
    const after = await usedRows(t!, site);
    expect(after.map((r) => r.jti_hash)).toEqual([sha256('later'), sha256('long-lived')]);
    await expectReplayRefused(t!, site, mint('long-lived', 3600));
  });
});

describeWith(['postgres', 'redisCluster'], 'Site tokens: replay protection with Redis', () => {
  let db: TestDatabase;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    db = await createTestDatabase('site_token_replay_redis');
    [a, b] = await Promise.all([
      startTestServer({ databaseUrl: db.url, redis: 'cluster' }),
      startTestServer({ databaseUrl: db.url, redis: 'cluster' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await db?.drop();
  });

  it('keeps used ids in Redis, shared by every node, not in the database', async () => {
    const { site, secret } = await newSite(a);
    const token = createUserToken({ siteId: site.publicId, siteSecret: secret, userId: 'clustered' });
    expect((await exchange(a, site, token)).status).toBe(200);
    await expectReplayRefused(b, site, token);
    expect(await usedRows(a, site)).toHaveLength(0);
  });
});
