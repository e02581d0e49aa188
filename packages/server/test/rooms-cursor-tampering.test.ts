import { beforeAll, expect, it } from 'vitest';
import { newRoom, newSite, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'rooms: directory cursors cannot be forged or reused elsewhere', () => {
  const { t, http } = useServer({ label: 'rooms_cursor' });
  let viewer: TestUser;
  let cursors: { newest: string; title: string };

  beforeAll(async () => {
    const owner = await newUser(t);
    viewer = await newUser(t);
    for (let i = 0; i < 5; i += 1) await newRoom(t, owner, { title: `Room ${i}` });
    const cursorOf = async (sort: string) =>
      (await http.get(`/v1/rooms?sort=${sort}&limit=2`, { headers: viewer.headers })).body
        .nextCursor as string;
    cursors = { newest: await cursorOf('newest'), title: await cursorOf('title') };
  });

  async function expectRejected(query: string, as: TestUser = viewer) {
    const res = await http.get(`/v1/rooms?${query}`, { headers: as.headers });
    expect(res.status, query).toBe(400);
    expect(res.body.error.code, query).toBe('validation_failed');
    expect(res.body.error.message).toMatch(/cursor/);
  }

  it('accepts its own cursors', async () => {
    for (const sort of ['newest', 'title'] as const) {
      const res = await http.get(`/v1/rooms?sort=${sort}&limit=2&cursor=${cursors[sort]}`, {
        headers: viewer.headers,
      });
      expect(res.status).toBe(200);
      expect(res.body.items).toHaveLength(2);
    }
  });

  it('refuses a cursor of the other sort (the default sort is newest)', async () => {
    await expectRejected(`sort=newest&cursor=${cursors.title}`);
    await expectRejected(`cursor=${cursors.title}`);
    await expectRejected(`sort=title&cursor=${cursors.newest}`);
  });

  it('refuses edited payloads, forged signatures and garbage', async () => {
    const [body, mac] = cursors.newest.split('.') as [string, string];
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    expect(payload).toMatchObject({ s: 'newest' });
    const edited = Buffer.from(JSON.stringify({ ...payload, id: '1' })).toString('base64url');
    await expectRejected(`cursor=${edited}.${mac}`);
    const injected = Buffer.from(JSON.stringify({ s: 'newest', id: '1 OR 1=1' })).toString('base64url');
    await expectRejected(`cursor=${injected}.${mac}`);
    await expectRejected(`cursor=${body}.${'A'.repeat(22)}`);
    await expectRejected(`cursor=${body}`);
    for (const garbage of ['abc', '..', '%00', 'null', '{"s":"newest","id":"5"}', 'x'.repeat(1000)]) {
      await expectRejected(`cursor=${encodeURIComponent(garbage)}`);
    }
    const tooLong = await http.get(`/v1/rooms?cursor=${'x'.repeat(1025)}`, { headers: viewer.headers });
    expect(tooLong.status).toBe(400);
  });

  it("refuses another site's cursor and cursors of other listings", async () => {
    const { site } = await newSite(t);
    const owner = await newUser(t, { site });
    for (let i = 0; i < 3; i += 1) await newRoom(t, owner);
    await expectRejected(`cursor=${cursors.newest}`, owner);
    const room = await newRoom(t, viewer);
    for (let i = 0; i < 2; i += 1)
      await http.post(`/v1/rooms/${room.id}/join`, { headers: (await newUser(t)).headers });
    const memberCursor = (await http.get(`/v1/rooms/${room.id}/members?limit=1`, { headers: viewer.headers }))
      .body.nextCursor;
    expect(memberCursor).toEqual(expect.any(String));
    await expectRejected(`cursor=${memberCursor}`);
  });
});
