/**
 * In development the default site is created with guests enabled (the demo page works with nothing
 * configured); in production and tests it is created as before, and an existing site is never changed.
 */
import { afterAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { startTestServer, type TestServer } from './helpers/server.js';

describeWith(['postgres'], 'the default site created in development lets guests in', () => {
  const databases: TestDatabase[] = [];
  const servers: TestServer[] = [];

  /** A server on a new database (or on `db`) with NODE_ENV=`env`. */
  async function start(env: string, db?: TestDatabase): Promise<TestServer> {
    if (!db) {
      db = await createTestDatabase(`default_site_${env}`);
      databases.push(db);
    }
    const t = await startTestServer({ databaseUrl: db.url, env: { NODE_ENV: env } });
    servers.push(t);
    return t;
  }

  const guest = (t: TestServer) => client(t.url).post('/v1/auth/guest', { body: { displayName: 'Visitor' } });
  const settings = async (t: TestServer) => (await client(t.url).get('/v1/site/public')).body.settings;

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
    await Promise.all(databases.map((d) => d.drop()));
  });

  it('development: guests enabled, the other switches at their defaults, and a guest can sign in', async () => {
    const t = await start('development');
    expect(await settings(t)).toEqual({ guestsEnabled: true, signupEnabled: true, verifiedOnly: false });
    const res = await guest(t);
    expect(res.status).toBe(201);
    expect(res.body.user.kind).toBe('guest');
  });

  it('production and test: guests stay disabled', async () => {
    for (const env of ['production', 'test']) {
      const t = await start(env);
      expect(await settings(t), env).toEqual({
        guestsEnabled: false,
        signupEnabled: true,
        verifiedOnly: false,
      });
      const res = await guest(t);
      expect(res.status, env).toBe(403);
      expect(res.body.error.code).toBe('forbidden');
    }
  });

  it('only applies when the default site is first created: a later start in development changes nothing', async () => {
    const first = await start('test');
    const db = databases[databases.length - 1]!;
    expect((await settings(first)).guestsEnabled).toBe(false);
    const later = await start('development', db);
    expect((await settings(later)).guestsEnabled).toBe(false);
    expect((await guest(later)).status).toBe(403);
  });
});
