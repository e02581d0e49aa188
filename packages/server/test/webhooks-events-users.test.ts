/**
 * `user.created`: recorded in the transaction that inserts the user, whichever way they come to exist
 * (sign-up, guest, site token, Kakao, an administrator made by create-admin or the start-up bootstrap), with
 * the site's own id for site users; a sign-in of an existing user records nothing.
 */
import { beforeAll, expect, it } from 'vitest';
import { createUserToken } from '@synctalk/sdk/server';
import { ensureAdmin } from '../src/auth/admin-bootstrap.js';
import type { Site } from '../src/sites/sites.repository.js';
import { countUsers, newSite, uniqueName } from './helpers/factories.js';
import { kakaoSignIn } from './helpers/fake-kakao.js';
import { describeWith } from './helpers/services.js';
import { useFakeKakao, useServer } from './helpers/use-server.js';
import {
  addWebhookEndpoint,
  countDeliveries,
  deliveriesOf,
  failCommitsWhen,
  lastDeliveryId,
} from './helpers/webhooks.js';

const OPEN = { signupEnabled: true, guestsEnabled: true };

describeWith(['postgres'], 'webhook events: user.created', () => {
  const fake = useFakeKakao({ clientSecret: 'kakao-client-secret' });
  const { t, http } = useServer({
    label: 'webhooks_events_users',
    env: () => ({ ...fake.env(), WEBHOOKS_ENABLED: 'false' }),
  });
  let site: Site;
  let secret: string;
  let headers: Record<string, string>;
  let all: string;
  let roomsOnly: string;
  let otherSiteEndpoint: string;

  beforeAll(async () => {
    ({ site, secret } = await newSite(t, { settings: OPEN }));
    headers = { 'x-synctalk-site': site.publicId };
    all = await addWebhookEndpoint(t, site);
    roomsOnly = await addWebhookEndpoint(t, site, ['room.created']);
    otherSiteEndpoint = await addWebhookEndpoint(t, (await newSite(t, { settings: OPEN })).site);
  });

  /** The `user.created` deliveries since `since`: [order key, data]. */
  const created = async (since: string) =>
    (await deliveriesOf(t, all, since)).map((d) => {
      expect(d.eventType).toBe('user.created');
      expect(d.event.siteId).toBe(site.publicId);
      return [d.orderKey, d.event.data] as const;
    });
  const eventKey = expect.stringMatching(/^event:[0-9a-f-]{36}$/);

  it('records user.created for a sign-up, with the user the API answers', async () => {
    const since = await lastDeliveryId(t);
    const username = uniqueName();
    const res = await http.post('/v1/auth/signup', {
      headers,
      body: { username, password: 'correct horse', displayName: 'Ann' },
    });
    expect(res.status).toBe(201);
    expect(await created(since)).toEqual([[eventKey, { user: res.body.user, externalId: null }]]);
    expect(res.body.user).toMatchObject({ kind: 'password', username, displayName: 'Ann' });
    // The same event id in the body and the row.
    const [delivery] = await deliveriesOf(t, all, since);
    expect(delivery!.orderKey).toBe(`event:${delivery!.eventId}`);
    expect(delivery!.event.id).toBe(delivery!.eventId);
    expect(await deliveriesOf(t, roomsOnly, since)).toEqual([]);
    expect(await deliveriesOf(t, otherSiteEndpoint)).toEqual([]);

    // A taken username creates nothing.
    const taken = await http.post('/v1/auth/signup', {
      headers,
      body: { username, password: 'another one' },
    });
    expect(taken.status).toBe(409);
    expect(await deliveriesOf(t, all, delivery!.id)).toEqual([]);
  });

  it('records user.created for each guest', async () => {
    const since = await lastDeliveryId(t);
    const a = await http.post('/v1/auth/guest', { headers, body: { displayName: 'Wanderer' } });
    const b = await http.post('/v1/auth/guest', { headers, body: { displayName: 'Wanderer' } });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(await created(since)).toEqual([
      [eventKey, { user: a.body.user, externalId: null }],
      [eventKey, { user: b.body.user, externalId: null }],
    ]);
    expect(a.body.user).toMatchObject({ kind: 'guest', roles: [] });
  });

  it('records user.created with the external id on a site token’s first use only', async () => {
    const since = await lastDeliveryId(t);
    const exchange = (name: string) =>
      http.post('/v1/auth/site-token', {
        headers,
        body: {
          token: createUserToken({
            siteId: site.publicId,
            siteSecret: secret,
            userId: 'customer-42',
            name,
            expiresIn: 300,
          }),
        },
      });
    const first = await exchange('Ada');
    const second = await exchange('Ada L.');
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.body.user.id).toBe(first.body.user.id);
    expect(await created(since)).toEqual([[eventKey, { user: first.body.user, externalId: 'customer-42' }]]);
    expect(first.body.user).toMatchObject({ kind: 'site', displayName: 'Ada' });
  });

  it('records user.created on a Kakao user’s first sign-in only', async () => {
    const since = await lastDeliveryId(t);
    const person = fake.addUser({ nickname: '라이언' });
    const first = await kakaoSignIn(t.url, fake, person, { headers });
    const second = await kakaoSignIn(t.url, fake, person, { headers });
    expect([first.res.status, second.res.status]).toEqual([200, 200]);
    expect(await created(since)).toEqual([[eventKey, { user: first.res.body.user, externalId: null }]]);
    expect(first.res.body.user).toMatchObject({ kind: 'kakao', displayName: '라이언' });
  });

  it('records user.created for an administrator created by create-admin (not for a promotion)', async () => {
    const since = await lastDeliveryId(t);
    const username = uniqueName('admin');
    const deps = { db: t.server.db, config: t.server.deps.config };
    const made = await ensureAdmin(deps, site, { username, password: 'long enough pw' });
    expect(made.outcome).toBe('created');
    const again = await ensureAdmin(deps, site, { username });
    expect(again.outcome).toBe('unchanged');
    expect(await created(since)).toEqual([
      [
        eventKey,
        {
          user: expect.objectContaining({
            id: made.user.id,
            username,
            kind: 'password',
            roles: made.user.roles,
          }),
          externalId: null,
        },
      ],
    ]);
  });

  it('records nothing for a site without endpoints', async () => {
    const bare = (await newSite(t, { settings: OPEN })).site;
    const before = await countDeliveries(t);
    const on = { 'x-synctalk-site': bare.publicId };
    expect((await http.post('/v1/auth/guest', { headers: on, body: { displayName: 'G' } })).status).toBe(201);
    const signup = await http.post('/v1/auth/signup', {
      headers: on,
      body: { username: uniqueName(), password: 'correct horse' },
    });
    expect(signup.status).toBe(201);
    expect(await countUsers(t, bare)).toBe(2);
    expect(await countDeliveries(t)).toBe(before);
  });

  it('records no user.created when the insert’s transaction fails', async () => {
    const since = await lastDeliveryId(t);
    const users = await countUsers(t, site);
    const refuse = await failCommitsWhen(t, 'users', `NEW.display_name = 'doomed'`);
    try {
      const guest = await http.post('/v1/auth/guest', { headers, body: { displayName: 'doomed' } });
      expect(guest.status).toBeGreaterThanOrEqual(500);
      const signup = await http.post('/v1/auth/signup', {
        headers,
        body: { username: uniqueName(), password: 'correct horse', displayName: 'doomed' },
      });
      expect(signup.status).toBeGreaterThanOrEqual(500);
    } finally {
      await refuse();
    }
    expect(await countUsers(t, site)).toBe(users);
    expect(await deliveriesOf(t, all, since)).toEqual([]);
  });
});

describeWith([], 'webhook events on the embedded database (PGlite)', () => {
  const { t, http } = useServer({ services: [], env: { WEBHOOKS_ENABLED: 'false' } });

  it('records user.created, room.created and member.joined there too', async () => {
    const { site } = await newSite(t, { settings: OPEN });
    const endpoint = await addWebhookEndpoint(t, site);
    const headers = { 'x-synctalk-site': site.publicId };
    const signup = await http.post('/v1/auth/signup', {
      headers,
      body: { username: uniqueName(), password: 'correct horse' },
    });
    expect(signup.status).toBe(201);
    const room = await http.post('/v1/rooms', {
      headers: { ...headers, authorization: `Bearer ${signup.body.accessToken}` },
      body: { title: 'Embedded', visibility: 'public' },
    });
    expect(room.status).toBe(201);
    const deliveries = await deliveriesOf(t, endpoint);
    expect(deliveries.map((d) => [d.eventType, d.event.data])).toEqual([
      ['user.created', { user: signup.body.user, externalId: null }],
      ['room.created', { room: room.body }],
      ['member.joined', { roomId: room.body.id, member: expect.objectContaining({ role: 'owner' }) }],
    ]);
    expect(deliveries[1]!.orderKey).toBe(`room:${room.body.id}`);
  });
});
