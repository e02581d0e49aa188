/**
 * The verified-only switch (`settings.verifiedOnly`): on such a site only users someone vouches for — the
 * site's backend (site tokens) or Kakao — may chat; password accounts and guests get 403 from
 * `assertCanChat`, wherever chatting starts (here: creating and joining rooms; every other write is in
 * verified-only-writes.test.ts).
 */
import { describe, expect, it, beforeAll } from 'vitest';
import type { UserKind } from '@synctalk/sdk';
import { createUserToken } from '@synctalk/sdk/server';
import { assertCanChat, canChat } from '../src/auth/policy.js';
import type { AuthUser } from '../src/auth/tokens.js';
import { AppError } from '../src/platform/errors.js';
import { siteSettingsDefaults, type Site } from '../src/sites/sites.repository.js';
import { newSite, newUser } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describe('assertCanChat', () => {
  const site = (verifiedOnly: boolean): Site => ({
    id: '1',
    publicId: 'st_x',
    name: 'x',
    allowedOrigins: [],
    isDefault: false,
    settings: { ...siteSettingsDefaults, verifiedOnly },
    publicRoomCount: 0,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  const user = (kind: UserKind): AuthUser => ({ id: '7', siteId: '1', roles: ['ROLE_USER'], kind, exp: 0 });

  it('lets everyone chat on an ordinary site', () => {
    for (const kind of ['password', 'kakao', 'site', 'guest'] as const) {
      expect(() => assertCanChat(site(false), user(kind))).not.toThrow();
    }
  });

  it('refuses password accounts and guests on a verified-only site with 403', () => {
    for (const kind of ['password', 'guest'] as const) {
      let thrown: unknown;
      try {
        assertCanChat(site(true), user(kind));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AppError);
      expect((thrown as AppError).status).toBe(403);
      expect((thrown as AppError).code).toBe('forbidden');
    }
  });

  it('lets site-verified and Kakao users chat on a verified-only site', () => {
    expect(() => assertCanChat(site(true), user('site'))).not.toThrow();
    expect(() => assertCanChat(site(true), user('kakao'))).not.toThrow();
  });

  it('answers the same question as a boolean, and refuses kinds it does not know', () => {
    expect(canChat(site(true), user('site'))).toBe(true);
    expect(canChat(site(true), user('password'))).toBe(false);
    expect(canChat(site(false), user('password'))).toBe(true);
    expect(canChat(site(true), user('robot' as UserKind))).toBe(false);
  });
});

describeWith(['postgres'], 'Verified-only sites over HTTP', () => {
  const { t } = useServer({ label: 'verified_only' });
  let site: Site;
  let secret: string;
  let headers: Record<string, string>;

  beforeAll(async () => {
    ({ site, secret } = await newSite(t, { settings: { verifiedOnly: true, guestsEnabled: true } }));
    headers = { 'x-synctalk-site': site.publicId };
  });

  const api = () => client(t.url);
  const createRoom = (token: string) =>
    api().post('/v1/rooms', { headers, token, body: { title: 'Lobby', visibility: 'public' } });
  const siteUser = async (userId: string) =>
    (
      await api().post('/v1/auth/site-token', {
        headers,
        body: { token: createUserToken({ siteId: site.publicId, siteSecret: secret, userId }) },
      })
    ).body.accessToken as string;

  it('a site-verified user chats; a password user of the same site gets 403', async () => {
    const verified = await createRoom(await siteUser('v-1'));
    expect(verified.status).toBe(201);

    const member = await newUser(t, { site });
    const refused = await createRoom(member.token);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({
      code: 'forbidden',
      message: 'This site only lets verified users chat',
    });

    const join = await api().post(`/v1/rooms/${verified.body.id}/join`, { headers, token: member.token });
    expect(join.status).toBe(403);
    expect(join.body.error.message).toMatch(/verified users/);
  });

  it('guests may sign in but not chat there', async () => {
    const owner = await createRoom(await siteUser('v-2'));
    const guest = await api().post('/v1/auth/guest', { headers, body: { displayName: 'Passer-by' } });
    expect(guest.status).toBe(201);
    const join = await api().post(`/v1/rooms/${owner.body.id}/join`, {
      headers,
      token: guest.body.accessToken,
    });
    expect(join.status).toBe(403);
  });

  it('turning the switch off lets password users chat again', async () => {
    const member = await newUser(t, { site });
    expect((await createRoom(member.token)).status).toBe(403);
    await t.server.deps.sites.repo.update(site.id, { settings: { verifiedOnly: false } });
    try {
      expect((await createRoom(member.token)).status).toBe(201);
    } finally {
      await t.server.deps.sites.repo.update(site.id, { settings: { verifiedOnly: true } });
    }
  });
});
