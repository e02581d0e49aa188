/**
 * The server API's tenant isolation, like the user API's (rooms-tenant-isolation.test.ts): a site's API key
 * reaches its own site only. Another site's rooms, members, messages and users are `not_found`; a header
 * naming another site is refused; user tokens and API keys each stay on their own side.
 */
import { beforeAll, expect, it } from 'vitest';
import { newAdmin, newRoom, newSite, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import type { Site } from '../src/sites/sites.repository.js';

describeWith(['postgres'], "server api: tenant isolation (site B's key cannot reach site A)", () => {
  const { t, http } = useServer({ label: 'server_api_tenants' });
  let siteA: Site;
  let siteB: Site;
  let keyA: string;
  let keyB: string;
  let ownerA: TestUser;
  let adminA: TestUser;
  let roomA: { id: string };
  let privateA: { id: string };

  const asKey = (key: string, site: Site) => ({
    authorization: `Bearer ${key}`,
    'x-synctalk-site': site.publicId,
  });
  const keyOnly = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    siteA = (await newSite(t)).site;
    siteB = (await newSite(t)).site;
    adminA = await newAdmin(t, { site: siteA });
    const adminB = await newAdmin(t, { site: siteB });
    keyA = (await http.post('/v1/site/api-keys', { headers: adminA.headers, body: { name: 'a' } })).body.key;
    keyB = (await http.post('/v1/site/api-keys', { headers: adminB.headers, body: { name: 'b' } })).body.key;
    ownerA = await newUser(t, { site: siteA });
    roomA = await newRoom(t, ownerA, { title: 'A public' });
    privateA = await newRoom(t, ownerA, { title: 'A private', visibility: 'private' });
    // Site A's backend has a user "alice" who is in the room and wrote in it.
    await http.put('/v1/server/users/alice', { headers: asKey(keyA, siteA), body: { displayName: 'Alice' } });
    await http.put(`/v1/server/rooms/${roomA.id}/members/alice`, { headers: asKey(keyA, siteA), body: {} });
    const sent = await http.post(`/v1/server/rooms/${roomA.id}/messages`, {
      headers: asKey(keyA, siteA),
      body: { text: 'from A', asExternalId: 'alice' },
    });
    expect(sent.status).toBe(201);
    // Site B has a user with the same external id: a different person.
    await http.put('/v1/server/users/alice', { headers: asKey(keyB, siteB), body: { displayName: 'Other' } });
  });

  it("answers 404 to every read and write of site A's rooms with site B's key", async () => {
    for (const headers of [asKey(keyB, siteB), keyOnly(keyB)]) {
      for (const room of [roomA, privateA]) {
        const calls = [
          http.patch(`/v1/server/rooms/${room.id}`, { headers, body: { title: 'taken' } }),
          http.delete(`/v1/server/rooms/${room.id}`, { headers }),
          http.put(`/v1/server/rooms/${room.id}/members/alice`, { headers, body: { role: 'moderator' } }),
          http.delete(`/v1/server/rooms/${room.id}/members/alice`, { headers }),
          http.post(`/v1/server/rooms/${room.id}/messages`, { headers, body: { text: 'spam' } }),
          http.post(`/v1/server/rooms/${room.id}/messages`, {
            headers,
            body: { text: 'spam', asExternalId: 'alice' },
          }),
          http.get(`/v1/server/rooms/${room.id}/messages`, { headers }),
        ];
        for (const res of await Promise.all(calls)) {
          expect(res.status).toBe(404);
          expect(res.body.error.code).toBe('not_found');
        }
      }
    }
    // Nothing changed in site A.
    const seen = await http.get(`/v1/rooms/${roomA.id}`, { headers: ownerA.headers });
    expect(seen.body).toMatchObject({ title: 'A public', memberCount: 2 });
    const history = await http.get(`/v1/server/rooms/${roomA.id}/messages`, { headers: asKey(keyA, siteA) });
    expect(history.body.messages.map((m: { text: string }) => m.text)).toEqual(['from A']);
    const members = await http.get(`/v1/rooms/${roomA.id}/members`, { headers: ownerA.headers });
    expect(members.body.items.map((m: { role: string }) => m.role)).toEqual(['owner', 'member']);
  });

  it("keeps site A's users out of reach of site B's key", async () => {
    // Site B's "alice" is its own user: reading or upserting touches B's, never A's.
    const theirs = await http.get('/v1/server/users/alice', { headers: keyOnly(keyB) });
    expect(theirs.body.displayName).toBe('Other');
    const ours = await http.get('/v1/server/users/alice', { headers: keyOnly(keyA) });
    expect(ours.body.displayName).toBe('Alice');
    expect(ours.body.id).not.toBe(theirs.body.id);
    // A user only site A has is unknown to B, for reads and tokens.
    await http.put('/v1/server/users/only-a', { headers: keyOnly(keyA), body: {} });
    expect((await http.get('/v1/server/users/only-a', { headers: keyOnly(keyB) })).status).toBe(404);
    expect((await http.post('/v1/server/users/only-a/token', { headers: keyOnly(keyB) })).status).toBe(404);
    // B's token for its alice is B's user on B's site.
    const token = await http.post('/v1/server/users/alice/token', { headers: keyOnly(keyB) });
    expect(token.status).toBe(201);
    expect(token.body.user.id).toBe(theirs.body.id);
    const onA = await http.get(`/v1/rooms/${roomA.id}`, {
      headers: { authorization: `Bearer ${token.body.accessToken}`, 'x-synctalk-site': siteA.publicId },
    });
    expect(onA.status).toBe(401);
  });

  it('refuses a key sent with a header naming another site (401)', async () => {
    const calls = [
      http.get('/v1/server/users/alice', { headers: asKey(keyA, siteB) }),
      http.post(`/v1/server/rooms/${roomA.id}/messages`, {
        headers: asKey(keyA, siteB),
        body: { text: 'x' },
      }),
      http.post('/v1/server/rooms', {
        headers: asKey(keyB, siteA),
        body: { title: 'sneaky', visibility: 'public' },
      }),
    ];
    for (const res of await Promise.all(calls)) {
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('unauthorized');
    }
    const rooms = await t.server.db('rooms').where({ site_id: siteA.id, title: 'sneaky' });
    expect(rooms).toHaveLength(0);
  });

  it("refuses user access tokens on the server API, even a site admin's (401)", async () => {
    for (const u of [ownerA, adminA]) {
      const calls = [
        http.get('/v1/server/users/alice', { headers: u.headers }),
        http.post('/v1/server/rooms', { headers: u.headers, body: { title: 'x', visibility: 'public' } }),
        http.get(`/v1/server/rooms/${roomA.id}/messages`, { headers: u.headers }),
      ];
      for (const res of await Promise.all(calls)) {
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('unauthorized');
      }
    }
  });

  it('refuses API keys on the user API (401, not a server error)', async () => {
    for (const headers of [asKey(keyA, siteA), keyOnly(keyA)]) {
      const calls = [
        http.get('/v1/rooms', { headers }),
        http.get(`/v1/rooms/${roomA.id}`, { headers }),
        http.post('/v1/rooms', { headers, body: { title: 'x', visibility: 'public' } }),
        http.post(`/v1/rooms/${roomA.id}/messages`, { headers, body: { clientMsgId: 'k1', text: 'x' } }),
        http.get('/v1/me', { headers }),
        http.get('/v1/site/api-keys', { headers }),
      ];
      for (const res of await Promise.all(calls)) {
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('unauthorized');
      }
    }
  });
});
