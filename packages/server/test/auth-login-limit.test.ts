import { expect, it } from 'vitest';
import { newSite, newUser, uniqueName } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'sign-in brute-force limits (one node, in-memory counters)', () => {
  const { t, http: api } = useServer({
    label: 'auth-login-limit',
    env: { LOGIN_MAX_PER_USERNAME: '3', LOGIN_MAX_PER_IP: '1000', LOGIN_WINDOW: '10m' },
  });

  const login = (username: string, password: string, headers?: Record<string, string>) =>
    api.post('/v1/auth/login', { body: { username, password }, headers });

  it('refuses a username after 3 failures, even with the right password, with 429 and Retry-After', async () => {
    const { user, password } = await newUser(t);
    for (let i = 0; i < 3; i += 1) expect((await login(user.username!, 'wrong-password')).status).toBe(401);

    const locked = await login(user.username!, password);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('rate_limited');
    expect(locked.body.error.message).toMatch(
      /^Too many failed sign-ins for this user; try again in \d+ seconds$/,
    );
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(590);
    expect(retryAfter).toBeLessThanOrEqual(600);
    expect(locked.body.error.details).toEqual({ retryAfter });
    expect(locked.headers.get('set-cookie')).toBeNull();

    // The lock is on the username, whatever its case.
    expect((await login(user.username!.toUpperCase(), password)).status).toBe(429);
  });

  it('locks unknown usernames the same way (the limit does not reveal which exist)', async () => {
    const ghost = uniqueName('ghost');
    for (let i = 0; i < 3; i += 1) expect((await login(ghost, 'wrong-password')).status).toBe(401);
    expect((await login(ghost, 'wrong-password')).status).toBe(429);
  });

  it('does not let parallel guesses slip past the limit', async () => {
    const { user } = await newUser(t);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => login(user.username!, 'wrong-password')),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
  });

  it('clears the failures when the right password comes in time', async () => {
    const { user, password } = await newUser(t);
    for (let i = 0; i < 2; i += 1) expect((await login(user.username!, 'wrong-password')).status).toBe(401);
    expect((await login(user.username!, password)).status).toBe(200);
    for (let i = 0; i < 3; i += 1) expect((await login(user.username!, 'wrong-password')).status).toBe(401);
    expect((await login(user.username!, 'wrong-password')).status).toBe(429);
  });

  it('does not count successful sign-ins as failures', async () => {
    const { user, password } = await newUser(t);
    for (let i = 0; i < 6; i += 1) expect((await login(user.username!, password)).status).toBe(200);
  });

  it('keeps other users and other sites unaffected', async () => {
    const victim = await newUser(t);
    const bystander = await newUser(t);
    for (let i = 0; i < 4; i += 1) await login(victim.user.username!, 'wrong-password');
    expect((await login(victim.user.username!, victim.password)).status).toBe(429);
    expect((await login(bystander.user.username!, bystander.password)).status).toBe(200);

    // The same username on another site is another account with its own count.
    const { site } = await newSite(t);
    const twin = await newUser(t, { site, username: victim.user.username! });
    const other = await login(victim.user.username!, twin.password, { 'x-synctalk-site': site.publicId });
    expect(other.status).toBe(200);
  });
});

describeWith(['postgres'], 'sign-in limit per IP', () => {
  const { t, http: api } = useServer({
    label: 'auth-login-limit-ip',
    env: { LOGIN_MAX_PER_USERNAME: '100', LOGIN_MAX_PER_IP: '5', LOGIN_WINDOW: '1m' },
  });

  it('counts every attempt from one address, right or wrong, across usernames', async () => {
    const { user, password } = await newUser(t);
    expect((await api.post('/v1/auth/login', { body: { username: user.username, password } })).status).toBe(
      200,
    );
    for (let i = 0; i < 4; i += 1) {
      const res = await api.post('/v1/auth/login', {
        body: { username: uniqueName(), password: 'wrong-password' },
      });
      expect(res.status).toBe(401);
    }
    const sixth = await api.post('/v1/auth/login', { body: { username: user.username, password } });
    expect(sixth.status).toBe(429);
    expect(sixth.body.error.message).toMatch(/^Too many sign-in attempts from this address/);
    const retryAfter = Number(sixth.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('counts per site: the same address can still sign in on another site', async () => {
    const { site } = await newSite(t);
    const { user, password } = await newUser(t, { site });
    const res = await api.post('/v1/auth/login', {
      body: { username: user.username, password },
      headers: { 'x-synctalk-site': site.publicId },
    });
    expect(res.status).toBe(200);
  });

  it('limits sign-ups from one address with the same numbers', async () => {
    const { site } = await newSite(t);
    const headers = { 'x-synctalk-site': site.publicId };
    for (let i = 0; i < 5; i += 1) {
      const res = await api.post('/v1/auth/signup', {
        body: { username: uniqueName(), password: 'password-123' },
        headers,
      });
      expect(res.status).toBe(201);
    }
    const username = uniqueName();
    const over = await api.post('/v1/auth/signup', { body: { username, password: 'password-123' }, headers });
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await t.server.db('users').where({ username_lower: username.toLowerCase() })).toHaveLength(0);
  });
});
