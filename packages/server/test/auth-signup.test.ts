import bcrypt from 'bcrypt';
import jwt from 'jsonwebtoken';
import { expect, it } from 'vitest';
import { newSite, uniqueName } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { TEST_JWT_SECRET } from './helpers/server.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'POST /v1/auth/signup', () => {
  const { t, http: api } = useServer({ label: 'auth-signup' });

  const userRow = (username: string) =>
    t.server.db('users').where({ username_lower: username.toLowerCase() });

  it('creates a password account and signs it in (body, Authorization header and httpOnly cookie)', async () => {
    const username = uniqueName('Ann');
    const res = await api.post('/v1/auth/signup', {
      body: { username, password: 'correct horse', displayName: 'Ann Example' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshExpiresIn: 30 * 86400,
      user: {
        username,
        displayName: 'Ann Example',
        avatarUrl: null,
        kind: 'password',
        roles: ['ROLE_USER'],
      },
    });
    expect(res.body.user.id).toMatch(/^\d+$/);
    expect(typeof res.body.refreshToken).toBe('string');
    expect(res.headers.get('authorization')).toBe(`Bearer ${res.body.accessToken}`);

    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toContain(`synctalk_access=${res.body.accessToken}`);
    expect(cookie.toLowerCase()).toContain('httponly');
    expect(cookie.toLowerCase()).toContain('samesite=lax');
    expect(cookie.toLowerCase()).not.toContain('secure'); // only in production

    const claims = jwt.verify(res.body.accessToken, TEST_JWT_SECRET) as jwt.JwtPayload;
    expect(claims).toMatchObject({ sub: res.body.user.id, typ: 'access', kind: 'password', iss: 'synctalk' });

    const me = await api.get('/v1/me', { token: res.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual(res.body.user);
  });

  it('stores a bcrypt hash at BCRYPT_COST, never the password', async () => {
    const username = uniqueName();
    const res = await api.post('/v1/auth/signup', { body: { username, password: 'p4ssw0rd-xyz' } });
    expect(res.status).toBe(201);
    const row = await userRow(username).first();
    expect(row.password_hash).not.toContain('p4ssw0rd-xyz');
    expect(bcrypt.getRounds(row.password_hash)).toBe(4); // the test servers' BCRYPT_COST
    expect(await bcrypt.compare('p4ssw0rd-xyz', row.password_hash)).toBe(true);
  });

  it('defaults the display name to the username', async () => {
    const username = uniqueName();
    const res = await api.post('/v1/auth/signup', { body: { username, password: 'long enough' } });
    expect(res.status).toBe(201);
    expect(res.body.user.displayName).toBe(username);
  });

  it('refuses a taken username, ignoring case, with 409 and writes nothing', async () => {
    const username = uniqueName('Bob');
    expect((await api.post('/v1/auth/signup', { body: { username, password: 'password-1' } })).status).toBe(
      201,
    );
    for (const variant of [username, username.toUpperCase(), username.toLowerCase()]) {
      const res = await api.post('/v1/auth/signup', { body: { username: variant, password: 'password-2' } });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('conflict');
    }
    const rows = await userRow(username);
    expect(rows).toHaveLength(1);
    expect(rows[0].username).toBe(username); // the case it was registered with
  });

  it('settles concurrent sign-ups of one username: exactly one wins', async () => {
    const username = uniqueName('race');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        api.post('/v1/auth/signup', {
          body: { username: i % 2 ? username : username.toUpperCase(), password: `password-${i}` },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
    expect(await userRow(username)).toHaveLength(1);
  });

  it('keeps usernames per site: the same name can exist on two sites', async () => {
    const username = uniqueName('shared');
    const { site } = await newSite(t);
    const a = await api.post('/v1/auth/signup', { body: { username, password: 'password-a' } });
    const b = await api.post('/v1/auth/signup', {
      body: { username, password: 'password-b' },
      headers: { 'x-synctalk-site': site.publicId },
    });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.user.id).not.toBe(a.body.user.id);
    const claims = jwt.decode(b.body.accessToken) as jwt.JwtPayload;
    expect(claims.site).toBe(site.id);
  });

  it('is refused with 403 on a site that disabled sign-up', async () => {
    const { site } = await newSite(t, { settings: { signupEnabled: false } });
    const username = uniqueName();
    const res = await api.post('/v1/auth/signup', {
      body: { username, password: 'password-x' },
      headers: { 'x-synctalk-site': site.publicId },
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({ code: 'forbidden', message: 'Sign-up is disabled on this site' });
    expect(await userRow(username)).toHaveLength(0);
  });

  it('answers 404 for an unknown X-SyncTalk-Site', async () => {
    const res = await api.post('/v1/auth/signup', {
      body: { username: uniqueName(), password: 'password-x' },
      headers: { 'x-synctalk-site': 'st_doesnotexist' },
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('accepts passwords up to 72 bytes of UTF-8 and refuses longer ones instead of truncating', async () => {
    const exact = 'a'.repeat(72);
    const ok = await api.post('/v1/auth/signup', { body: { username: uniqueName(), password: exact } });
    expect(ok.status).toBe(201);

    // 73 bytes would be cut to 72 by bcrypt and then match `exact`: refused instead.
    const long = await api.post('/v1/auth/signup', {
      body: { username: uniqueName(), password: `${exact}b` },
    });
    expect(long.status).toBe(400);
    expect(long.body.error.code).toBe('validation_failed');
    expect(long.body.error.message).toMatch(/password: must be at most 72 bytes/);

    // Multi-byte characters count by their bytes: 18 emoji are 72 bytes, 19 are 76.
    const emoji18 = '🔒'.repeat(18);
    expect(
      (await api.post('/v1/auth/signup', { body: { username: uniqueName(), password: emoji18 } })).status,
    ).toBe(201);
    const emoji19 = await api.post('/v1/auth/signup', {
      body: { username: uniqueName(), password: `${emoji18}🔒` },
    });
    expect(emoji19.status).toBe(400);
    expect(emoji19.body.error.message).toContain('76');
  });

  it('lets a multi-byte password sign in again', async () => {
    const username = uniqueName();
    const password = 'пароль-密码-🔑';
    expect((await api.post('/v1/auth/signup', { body: { username, password } })).status).toBe(201);
    const login = await api.post('/v1/auth/login', { body: { username, password } });
    expect(login.status).toBe(200);
  });
});
