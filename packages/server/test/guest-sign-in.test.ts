/**
 * Guests: on sites that enable them, `POST /v1/auth/guest {displayName}` signs in a new, limited user — kind
 * `guest`, no site role (so no room creation), free to chat in public rooms. Elsewhere it is a 403.
 */
import { beforeAll, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { countRefreshTokens, countUsers, newRoom, newSite, newUser } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'Guests: sign-in', () => {
  const { t } = useServer({ label: 'guest_sign_in' });
  let open: Site;
  let closed: Site;

  beforeAll(async () => {
    open = (await newSite(t, { settings: { guestsEnabled: true } })).site;
    closed = (await newSite(t)).site;
  });

  const on = (site: Site) => ({ 'x-synctalk-site': site.publicId });
  const guest = (site: Site, body: unknown) =>
    client(t.url).post('/v1/auth/guest', { headers: on(site), body });

  it('creates a new guest on every call, with no role', async () => {
    const before = await countUsers(t, open);
    const a = await guest(open, { displayName: '  Wanderer  ' });
    const b = await guest(open, { displayName: 'Wanderer' });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({
      tokenType: 'Bearer',
      user: { kind: 'guest', username: null, displayName: 'Wanderer', avatarUrl: null, roles: [] },
    });
    expect(a.headers.get('authorization')).toBe(`Bearer ${a.body.accessToken}`);
    expect(a.headers.get('set-cookie')).toMatch(/synctalk_access=/);
    expect(b.body.user.id).not.toBe(a.body.user.id);
    expect(await countUsers(t, open)).toBe(before + 2);

    const me = await client(t.url).get('/v1/me', { headers: on(open), token: a.body.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.kind).toBe('guest');

    // Refresh works like any session.
    const refreshed = await client(t.url).post('/v1/auth/refresh', {
      headers: on(open),
      body: { refreshToken: a.body.refreshToken },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.user.id).toBe(a.body.user.id);
  });

  it('lets a guest chat in a public room but not create one', async () => {
    const g = await guest(open, { displayName: 'Visitor' });
    const create = await client(t.url).post('/v1/rooms', {
      headers: on(open),
      token: g.body.accessToken,
      body: { title: 'Mine', visibility: 'public' },
    });
    expect(create.status).toBe(403);

    const owner = await newUser(t, { site: open });
    const room = await newRoom(t, owner, { visibility: 'public' });
    const join = await client(t.url).post(`/v1/rooms/${room.id}/join`, {
      headers: on(open),
      token: g.body.accessToken,
    });
    expect(join.status).toBe(200);
  });

  it('is a 403 on a site without guests, creating nothing', async () => {
    const [users, tokens] = [await countUsers(t), await countRefreshTokens(t)];
    const res = await guest(closed, { displayName: 'Visitor' });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({ code: 'forbidden', message: 'Guest access is disabled on this site' });
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await countUsers(t)).toBe(users);
    expect(await countRefreshTokens(t)).toBe(tokens);
  });

  it('validates the display name', async () => {
    const users = await countUsers(t);
    for (const body of [
      {},
      { displayName: '' },
      { displayName: 'a\nb' },
      { displayName: 'x'.repeat(65) },
      { displayName: 'ok', roles: ['ROLE_ADMIN'] },
    ]) {
      const res = await guest(open, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
    }
    expect(await countUsers(t)).toBe(users);
  });
});
