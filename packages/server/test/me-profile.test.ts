import { expect, it } from 'vitest';
import { newUser, uniqueName } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'GET and PATCH /v1/me', () => {
  const { t, http: api } = useServer({ label: 'me-profile' });

  it('returns the signed-in user without private fields', async () => {
    const { user, token } = await newUser(t, { displayName: 'Dana' });
    const res = await api.get('/v1/me', { token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: user.id,
      username: user.username,
      displayName: 'Dana',
      avatarUrl: null,
      kind: 'password',
      roles: ['ROLE_USER'],
      createdAt: user.createdAt,
    });
  });

  it('shows admins both roles', async () => {
    const { token } = await newUser(t, { roles: ['ROLE_USER', 'ROLE_ADMIN'] });
    expect((await api.get('/v1/me', { token })).body.roles).toEqual(['ROLE_USER', 'ROLE_ADMIN']);
  });

  it('changes the display name and the avatar, and keeps what was not sent', async () => {
    const { user, token } = await newUser(t);
    const named = await api.patch('/v1/me', { token, body: { displayName: '  Eve Example  ' } });
    expect(named.status).toBe(200);
    expect(named.body).toMatchObject({ id: user.id, displayName: 'Eve Example', avatarUrl: null });

    const avatar = 'https://cdn.example.com/a/eve.png?size=64';
    const pictured = await api.patch('/v1/me', { token, body: { avatarUrl: avatar } });
    expect(pictured.body).toMatchObject({ displayName: 'Eve Example', avatarUrl: avatar });

    const cleared = await api.patch('/v1/me', { token, body: { avatarUrl: null } });
    expect(cleared.body).toMatchObject({ displayName: 'Eve Example', avatarUrl: null });

    const both = await api.patch('/v1/me', {
      token,
      body: { displayName: 'Eve', avatarUrl: 'http://img.example/e.jpg' },
    });
    expect(both.body).toMatchObject({ displayName: 'Eve', avatarUrl: 'http://img.example/e.jpg' });
    expect((await api.get('/v1/me', { token })).body).toEqual(both.body);
  });

  it('stores unicode and SQL-looking display names verbatim', async () => {
    const { token } = await newUser(t);
    for (const displayName of [
      "a'; DROP TABLE users;--",
      'Robert"); DELETE FROM users WHERE (1=1',
      '🦊 Fox 🌈',
      'مرحبا بالعالم',
      'שלום',
      '名前テスト',
      'Zoë', // NFC
    ]) {
      const res = await api.patch('/v1/me', { token, body: { displayName } });
      expect(res.status).toBe(200);
      expect(res.body.displayName).toBe(displayName);
    }
    expect(Number((await t.server.db('users').count({ n: '*' }))[0]!.n)).toBeGreaterThan(0);
  });

  it('normalises display names to NFC', async () => {
    const { token } = await newUser(t);
    const res = await api.patch('/v1/me', { token, body: { displayName: 'Zoe\u0308' } });
    expect(res.body.displayName).toBe('Zoë');
  });

  it("changes only the caller's own profile", async () => {
    const a = await newUser(t);
    const b = await newUser(t, { displayName: 'Unchanged' });
    await api.patch('/v1/me', { token: a.token, body: { displayName: uniqueName('renamed') } });
    expect((await api.get('/v1/me', { token: b.token })).body.displayName).toBe('Unchanged');
  });

  it('needs a signed-in user', async () => {
    expect((await api.get('/v1/me')).status).toBe(401);
    const res = await api.patch('/v1/me', { body: { displayName: 'x' } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('takes the new display name into the next sign-in response', async () => {
    const { user, password, token } = await newUser(t);
    await api.patch('/v1/me', { token, body: { displayName: 'Fresh Name' } });
    const login = await api.post('/v1/auth/login', { body: { username: user.username, password } });
    expect(login.body.user.displayName).toBe('Fresh Name');
  });
});
