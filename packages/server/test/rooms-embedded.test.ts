import { describe, expect, it } from 'vitest';
import { newUser } from './helpers/factories.js';
import { useServer } from './helpers/use-server.js';

describe('rooms on the embedded database (PGlite, the laptop default)', () => {
  const { t, http } = useServer({ services: [] });

  it('creates, joins by code, lists (both modes), pages members and moderates', async () => {
    const owner = await newUser(t);
    const member = await newUser(t);
    const created = [];
    for (const title of ['Beta', 'alpha', 'Gamma']) {
      const res = await http.post('/v1/rooms', {
        headers: owner.headers,
        body: { title, visibility: 'public' },
      });
      expect(res.status).toBe(201);
      created.push(res.body);
    }
    const joined = await http.post('/v1/rooms/join', {
      headers: member.headers,
      body: { code: created[0].code },
    });
    expect(joined.status).toBe(200);
    expect(joined.body).toMatchObject({ id: created[0].id, memberCount: 2, unreadCount: 0, lastSeq: '0' });

    const page1 = await http.get('/v1/rooms?sort=title&limit=2', { headers: member.headers });
    expect(page1.body.items.map((r: { title: string }) => r.title)).toEqual(['alpha', 'Beta']);
    const page2 = await http.get(`/v1/rooms?sort=title&limit=2&cursor=${page1.body.nextCursor}`, {
      headers: member.headers,
    });
    expect(page2.body).toMatchObject({ items: [{ title: 'Gamma' }], nextCursor: null });
    const offset = await http.get('/v1/rooms?offset=1&limit=5', { headers: member.headers });
    expect(offset.body.total).toBe(3);
    expect(offset.body.items.map((r: { id: string }) => r.id)).toEqual([created[1].id, created[0].id]);

    const members = await http.get(`/v1/rooms/${created[0].id}/members?limit=1`, { headers: member.headers });
    const rest = await http.get(`/v1/rooms/${created[0].id}/members?cursor=${members.body.nextCursor}`, {
      headers: member.headers,
    });
    expect(
      [...members.body.items, ...rest.body.items].map((m: { user: { id: string } }) => m.user.id),
    ).toEqual([owner.user.id, member.user.id]);
    const muted = await http.post(`/v1/rooms/${created[0].id}/members/${member.user.id}/mute`, {
      headers: owner.headers,
      body: { minutes: 5 },
    });
    expect(muted.status).toBe(200);
    expect(
      (
        await http.post(`/v1/rooms/${created[0].id}/members/${member.user.id}/ban`, {
          headers: owner.headers,
        })
      ).status,
    ).toBe(204);
    expect((await http.post(`/v1/rooms/${created[0].id}/join`, { headers: member.headers })).status).toBe(
      403,
    );
    const mine = await http.get('/v1/me/rooms', { headers: owner.headers });
    expect(mine.body.items.map((r: { title: string; role: string }) => [r.title, r.role])).toEqual([
      ['Gamma', 'owner'],
      ['alpha', 'owner'],
      ['Beta', 'owner'],
    ]);
  });
});
