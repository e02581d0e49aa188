import bcrypt from 'bcrypt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { defaultSite, newUser, uniqueName } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { startTestServer, type TestServer } from './helpers/server.js';

describeWith(['postgres'], 'the first admin from ADMIN_USERNAME / ADMIN_PASSWORD', () => {
  let db: TestDatabase;
  const started: TestServer[] = [];
  beforeAll(async () => {
    db = await createTestDatabase('auth-admin-bootstrap');
  });
  afterAll(async () => {
    await Promise.all(started.map((s) => s.close()));
    await db?.drop();
  });

  const start = async (env: Record<string, string>) => {
    const t = await startTestServer({ databaseUrl: db.url, env });
    started.push(t);
    return t;
  };
  const admins = (t: TestServer, username: string) =>
    t.server.db('users').where({ username_lower: username.toLowerCase() });

  it('creates the admin on the default site at start-up, with ROLE_USER and ROLE_ADMIN', async () => {
    const username = uniqueName('Root');
    const t = await start({ ADMIN_USERNAME: username, ADMIN_PASSWORD: 'admin-password-1' });
    const rows = await admins(t, username);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ username, kind: 'password', roles: ['ROLE_USER', 'ROLE_ADMIN'] });
    expect(rows[0].site_id).toBe((await defaultSite(t)).id);
    expect(bcrypt.getRounds(rows[0].password_hash)).toBe(4);

    const login = await client(t.url).post('/v1/auth/login', {
      body: { username, password: 'admin-password-1' },
    });
    expect(login.status).toBe(200);
    expect(login.body.user.roles).toEqual(['ROLE_USER', 'ROLE_ADMIN']);
  });

  it('is idempotent across restarts and does not overwrite a changed password', async () => {
    const username = uniqueName('root');
    const first = await start({ ADMIN_USERNAME: username, ADMIN_PASSWORD: 'first-password' });
    const [before] = await admins(first, username);
    const changed = await bcrypt.hash('changed-by-the-admin', 4);
    await first.server.db('users').where({ id: before.id }).update({ password_hash: changed });

    const again = await start({ ADMIN_USERNAME: username, ADMIN_PASSWORD: 'first-password' });
    const rows = await admins(again, username);
    expect(rows).toHaveLength(1);
    expect(rows[0].id).toBe(before.id);
    expect(rows[0].password_hash).toBe(changed);
    expect(rows[0].roles).toEqual(['ROLE_USER', 'ROLE_ADMIN']);
  });

  it('promotes an existing account, keeping its password and id', async () => {
    const probe = await start({});
    const existing = await newUser(probe, { username: uniqueName('promo') });
    const t = await start({
      ADMIN_USERNAME: existing.user.username!.toUpperCase(),
      ADMIN_PASSWORD: 'not-used-for-existing',
    });
    const rows = await admins(t, existing.user.username!);
    expect(rows).toHaveLength(1);
    expect(rows[0].id).toBe(existing.user.id);
    expect(rows[0].roles).toEqual(['ROLE_USER', 'ROLE_ADMIN']);
    const login = await client(t.url).post('/v1/auth/login', {
      body: { username: existing.user.username, password: existing.password },
    });
    expect(login.body.user.roles).toEqual(['ROLE_USER', 'ROLE_ADMIN']);
  });

  it('is safe when several nodes start together', async () => {
    const username = uniqueName('race');
    const env = { ADMIN_USERNAME: username, ADMIN_PASSWORD: 'race-password-1' };
    const nodes = await Promise.all([start(env), start(env), start(env)]);
    const rows = await admins(nodes[0]!, username);
    expect(rows).toHaveLength(1);
    expect(rows[0].roles).toEqual(['ROLE_USER', 'ROLE_ADMIN']);
  });

  it('refuses to start with an admin username or password outside the rules, naming the variable', async () => {
    await expect(
      startTestServer({
        databaseUrl: db.url,
        env: { ADMIN_USERNAME: "bad'name", ADMIN_PASSWORD: 'password-1' },
      }),
    ).rejects.toThrow(/^Invalid ADMIN_USERNAME: username may contain only letters/);
    await expect(
      startTestServer({
        databaseUrl: db.url,
        env: { ADMIN_USERNAME: uniqueName(), ADMIN_PASSWORD: 'pass\u0000word-1' },
      }),
    ).rejects.toThrow(/^Invalid ADMIN_PASSWORD: password must not contain NUL/);
  });
});
