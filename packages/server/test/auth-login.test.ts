import bcrypt from 'bcrypt';
import { expect, it } from 'vitest';
import { defaultSite, newSite, newUser, uniqueName } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'POST /v1/auth/login', () => {
  const { t, http: api } = useServer({ label: 'auth-login' });

  it('signs in with the right password, matching the username in any case', async () => {
    const { user, password } = await newUser(t, { username: uniqueName('Carol') });
    for (const username of [user.username!, user.username!.toUpperCase(), user.username!.toLowerCase()]) {
      const res = await api.post('/v1/auth/login', { body: { username, password } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ tokenType: 'Bearer', user: { id: user.id, username: user.username } });
      expect(res.headers.get('authorization')).toBe(`Bearer ${res.body.accessToken}`);
      expect(res.headers.get('set-cookie')).toContain(`synctalk_access=${res.body.accessToken}`);
      expect((await api.get('/v1/me', { token: res.body.accessToken })).body.id).toBe(user.id);
    }
  });

  it('gives a wrong password and an unknown username the same 401', async () => {
    const { user } = await newUser(t);
    const wrong = await api.post('/v1/auth/login', {
      body: { username: user.username, password: 'not-the-password' },
    });
    const unknown = await api.post('/v1/auth/login', {
      body: { username: uniqueName('nobody'), password: 'not-the-password' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual({ error: { code: 'unauthorized', message: 'Wrong username or password' } });
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.headers.get('authorization')).toBeNull();
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('only signs in on the site the account belongs to', async () => {
    const { site } = await newSite(t);
    const { user, password } = await newUser(t, { site });
    const elsewhere = await api.post('/v1/auth/login', { body: { username: user.username, password } });
    expect(elsewhere.status).toBe(401);
    const home = await api.post('/v1/auth/login', {
      body: { username: user.username, password },
      headers: { 'x-synctalk-site': site.publicId },
    });
    expect(home.status).toBe(200);
  });

  it('never signs in an account that has no password (site, Kakao and guest users)', async () => {
    const site = await defaultSite(t);
    const username = uniqueName('ext');
    // A site-verified user that somehow carries a username and even a hash: still no password sign-in.
    await t.server.db('users').insert({
      site_id: site.id,
      kind: 'site',
      username,
      username_lower: username.toLowerCase(),
      display_name: username,
      external_id: uniqueName('ext-id'),
      password_hash: await bcrypt.hash('password-123', 4),
    });
    const res = await api.post('/v1/auth/login', { body: { username, password: 'password-123' } });
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe('Wrong username or password');
  });

  it('upgrades a hash made at an older BCRYPT_COST after a successful sign-in', async () => {
    const { user, password } = await newUser(t);
    const older = await bcrypt.hash(password, 5);
    await t.server.db('users').where({ id: user.id }).update({ password_hash: older });
    expect((await api.post('/v1/auth/login', { body: { username: user.username, password } })).status).toBe(
      200,
    );
    const { password_hash: now } = await t.server.db('users').where({ id: user.id }).first();
    expect(bcrypt.getRounds(now)).toBe(4);
    expect(await bcrypt.compare(password, now)).toBe(true);
    expect((await api.post('/v1/auth/login', { body: { username: user.username, password } })).status).toBe(
      200,
    );
  });

  it('issues a separate session per sign-in', async () => {
    const { user, password } = await newUser(t);
    const a = await api.post('/v1/auth/login', { body: { username: user.username, password } });
    const b = await api.post('/v1/auth/login', { body: { username: user.username, password } });
    expect(a.body.refreshToken).not.toBe(b.body.refreshToken);
    const families = await t.server.db('refresh_tokens').where({ user_id: user.id }).distinct('family_id');
    expect(families.length).toBe(3); // the factory's session plus two sign-ins
  });
});

describeWith(['postgres'], 'POST /v1/auth/login timing', () => {
  // A realistic cost, so a skipped bcrypt comparison would stand out by an order of magnitude.
  const { t } = useServer({ label: 'auth-login-timing', env: { BCRYPT_COST: '10' } });

  it('spends a full bcrypt comparison on unknown usernames too', async () => {
    const api = client(t.url);
    const { user } = await newUser(t);
    // Give the known user a hash at the server's cost, as sign-up would.
    await t.server
      .db('users')
      .where({ id: user.id })
      .update({ password_hash: await bcrypt.hash('real-pass', 10) });
    const time = async (username: string) => {
      const started = performance.now();
      const res = await api.post('/v1/auth/login', { body: { username, password: 'wrong-pass' } });
      expect(res.status).toBe(401);
      return performance.now() - started;
    };
    await time(uniqueName('warm')); // the dummy hash is made at start-up; make sure it is ready
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      known.push(await time(user.username!));
      unknown.push(await time(uniqueName('ghost')));
    }
    // Minimums shrug off scheduling noise. Without the dummy comparison the ratio would be near 0.05.
    expect(Math.min(...unknown) / Math.min(...known)).toBeGreaterThan(0.5);
  });
});
