import { expect, it } from 'vitest';
import { newSite, newUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'POST /v1/auth/refresh and /v1/auth/logout', () => {
  const { t, http: api } = useServer({ label: 'auth-refresh' });

  const refresh = (refreshToken: string, headers?: Record<string, string>) =>
    api.post('/v1/auth/refresh', { body: { refreshToken }, headers });

  async function signIn() {
    const { user, password } = await newUser(t);
    const res = await api.post('/v1/auth/login', { body: { username: user.username, password } });
    expect(res.status).toBe(200);
    return { user, password, auth: res.body };
  }

  it('exchanges a refresh token for a new pair, with the header and the cookie', async () => {
    const { user, auth } = await signIn();
    const res = await refresh(auth.refreshToken);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ tokenType: 'Bearer', user: { id: user.id } });
    expect(res.body.refreshToken).not.toBe(auth.refreshToken);
    expect(res.headers.get('authorization')).toBe(`Bearer ${res.body.accessToken}`);
    expect(res.headers.get('set-cookie')).toContain(`synctalk_access=${res.body.accessToken}`);
    expect((await api.get('/v1/me', { token: res.body.accessToken })).status).toBe(200);
  });

  it('rotates: each refresh token works once, and the chain goes on', async () => {
    const { auth } = await signIn();
    let token = auth.refreshToken;
    for (let i = 0; i < 3; i += 1) {
      const res = await refresh(token);
      expect(res.status).toBe(200);
      token = res.body.refreshToken;
    }
    expect((await refresh(token)).status).toBe(200);
  });

  it('treats reuse of a rotated token as theft: the whole family is revoked', async () => {
    const { auth } = await signIn();
    const first = await refresh(auth.refreshToken);
    const second = await refresh(first.body.refreshToken);
    expect(second.status).toBe(200);

    // An attacker replays the first, already rotated token (its successor moved on: no grace window).
    const replay = await refresh(auth.refreshToken);
    expect(replay.status).toBe(401);
    expect(replay.body.error).toEqual({ code: 'unauthorized', message: 'Invalid or expired refresh token' });

    // The legitimate holder's newest token died with the family.
    expect((await refresh(second.body.refreshToken)).status).toBe(401);
  });

  it('revoking one family leaves the user’s other sessions alone', async () => {
    const { user, password, auth } = await signIn();
    const other = await api.post('/v1/auth/login', { body: { username: user.username, password } });
    const next = await refresh(auth.refreshToken);
    await refresh(next.body.refreshToken);
    // Reuse (its successor already moved on, so the grace window does not apply): this family is revoked.
    expect((await refresh(auth.refreshToken)).status).toBe(401);
    expect((await refresh(other.body.refreshToken)).status).toBe(200);
  });

  it('refuses unknown, expired and other-site refresh tokens', async () => {
    expect((await refresh('not-a-real-token')).status).toBe(401);

    const { user, auth } = await signIn();
    await t.server
      .db('refresh_tokens')
      .where({ user_id: user.id })
      .update({ expires_at: new Date(Date.now() - 1000) });
    const expired = await refresh(auth.refreshToken);
    expect(expired.status).toBe(401);

    const { site } = await newSite(t);
    const elsewhere = await signIn();
    const res = await refresh(elsewhere.auth.refreshToken, { 'x-synctalk-site': site.publicId });
    expect(res.status).toBe(401);
    // Not consumed by the failed attempt on the wrong site.
    expect((await refresh(elsewhere.auth.refreshToken)).status).toBe(200);
  });

  it('logout revokes the session, clears the cookie and answers 204', async () => {
    const { auth } = await signIn();
    const res = await api.post('/v1/auth/logout', { body: { refreshToken: auth.refreshToken } });
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^synctalk_access=;/);
    expect(cookie.toLowerCase()).toContain('expires=thu, 01 jan 1970');
    expect(cookie.toLowerCase()).toContain('httponly');
    expect((await refresh(auth.refreshToken)).status).toBe(401);
  });

  it('logout revokes every token descending from the same sign-in', async () => {
    const { auth } = await signIn();
    const next = await refresh(auth.refreshToken);
    const res = await api.post('/v1/auth/logout', { body: { refreshToken: auth.refreshToken } });
    expect(res.status).toBe(204);
    expect((await refresh(next.body.refreshToken)).status).toBe(401);
  });

  it('logout without a token, or with an unknown one, still answers 204 and clears the cookie', async () => {
    for (const body of [undefined, {}, { refreshToken: 'unknown-token' }]) {
      const res = await api.post('/v1/auth/logout', { body });
      expect(res.status).toBe(204);
      expect(res.headers.get('set-cookie')).toMatch(/^synctalk_access=;/);
    }
  });

  it("logout on another site does not end this site's session", async () => {
    const { site } = await newSite(t);
    const { auth } = await signIn();
    const res = await api.post('/v1/auth/logout', {
      body: { refreshToken: auth.refreshToken },
      headers: { 'x-synctalk-site': site.publicId },
    });
    expect(res.status).toBe(204);
    expect((await refresh(auth.refreshToken)).status).toBe(200);
  });
});
