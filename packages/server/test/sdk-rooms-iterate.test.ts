/**
 * The SDK's room iterators against a real server: `client.rooms.iterate` walks the whole directory in each
 * sort order, each room once, fetching one page per `pageSize` rooms and nothing after the last page (or
 * after the loop stops); `iterateMine` and `iterateMembers` walk their listings the same way; a signal stops
 * a walk.
 */
import { createClient, type SyncTalkClient } from '@synctalk/sdk';
import { beforeAll, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { joinRoom, newRoom, newSite, newUser, type TestUser, directoryOrder } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const TITLES = ['apple', 'Äpfel', 'banana', 'Zeta', 'zeta', '123 go', '😀 party', 'mango', 'Mango'];
const PUBLIC_ROOMS = 23;

describeWith(['postgres'], 'sdk: iterating room listings', () => {
  const { t } = useServer({ label: 'sdk_rooms_iterate' });
  let site: Site;
  let owner: TestUser;
  let viewer: TestUser;

  beforeAll(async () => {
    site = (await newSite(t)).site;
    owner = await newUser(t, { site });
    viewer = await newUser(t, { site });
    for (let i = 0; i < PUBLIC_ROOMS; i += 1) {
      await newRoom(t, owner, { title: `${TITLES[i % TITLES.length]} ${i % 3}` });
      // Private rooms are not in the directory.
      if (i % 6 === 0) await newRoom(t, owner, { title: `hidden ${i}`, visibility: 'private' });
    }
  });

  /** A client signed in as `user` on the suite's site, and the paths of the requests it made. */
  async function clientOf(user: TestUser): Promise<{ client: SyncTalkClient; requests: string[] }> {
    const requests: string[] = [];
    const client = createClient({
      baseUrl: t.url,
      site: site.publicId,
      fetch: (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        requests.push(`${url.pathname}${url.search}`);
        return fetch(input, init);
      },
    });
    await client.auth.setSession(user.auth);
    return { client, requests };
  }

  const expectedOrder = (sort: 'newest' | 'title') => directoryOrder(t, site, sort);

  async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
    const out: T[] = [];
    for await (const item of items) out.push(item);
    return out;
  }

  for (const sort of ['newest', 'title'] as const) {
    it(`walks every public room once, in ${sort} order, one request per page`, async () => {
      const { client, requests } = await clientOf(viewer);
      const expected = await expectedOrder(sort);
      expect(expected).toHaveLength(PUBLIC_ROOMS);

      const rooms = await collect(client.rooms.iterate({ sort, pageSize: 5 }));
      expect(rooms.map((r) => r.id)).toEqual(expected);
      expect(rooms.every((r) => r.visibility === 'public')).toBe(true);
      // 23 rooms in pages of 5: five requests, the last one answering without a next cursor.
      expect(requests).toHaveLength(Math.ceil(PUBLIC_ROOMS / 5));
      expect(requests.every((r) => r.startsWith(`/v1/rooms?limit=5&sort=${sort}`))).toBe(true);
      expect(requests.slice(1).every((r) => r.includes('&cursor='))).toBe(true);
    });
  }

  it('walks newest first in pages of the server default without options', async () => {
    const { client, requests } = await clientOf(viewer);
    const rooms = await collect(client.rooms.iterate());
    expect(rooms.map((r) => r.id)).toEqual(await expectedOrder('newest'));
    expect(requests).toEqual(['/v1/rooms', expect.stringMatching(/^\/v1\/rooms\?cursor=/)]);
  });

  it('fetches nothing before the loop starts, and nothing more once it stops', async () => {
    const { client, requests } = await clientOf(viewer);
    const walk = client.rooms.iterate({ sort: 'title', pageSize: 5 });
    expect(requests).toHaveLength(0);
    const seen: string[] = [];
    for await (const room of walk) {
      seen.push(room.id);
      if (seen.length === 7) break;
    }
    expect(seen).toEqual((await expectedOrder('title')).slice(0, 7));
    expect(requests).toHaveLength(2);
    expect(await walk.next()).toEqual({ done: true, value: undefined });
    expect(requests).toHaveLength(2);
  });

  it('continues from a cursor a listing returned', async () => {
    const { client } = await clientOf(viewer);
    const first = await client.rooms.list({ sort: 'title', limit: 10 });
    const rest = await collect(
      client.rooms.iterate({ sort: 'title', pageSize: 6, cursor: first.nextCursor! }),
    );
    expect([...first.items, ...rest].map((r) => r.id)).toEqual(await expectedOrder('title'));
  });

  it('stops with the signal’s reason when aborted between pages or before the start', async () => {
    const { client, requests } = await clientOf(viewer);
    const controller = new AbortController();
    const reason = new Error('the user navigated away');
    const seen: string[] = [];
    const walk = (async () => {
      for await (const room of client.rooms.iterate({ pageSize: 4, signal: controller.signal })) {
        seen.push(room.id);
        if (seen.length === 4) controller.abort(reason);
      }
    })();
    await expect(walk).rejects.toBe(reason);
    expect(seen).toHaveLength(4);
    expect(requests).toHaveLength(1);

    const aborted = AbortSignal.abort(reason);
    await expect(collect(client.rooms.iterate({ signal: aborted }))).rejects.toBe(reason);
    expect(requests).toHaveLength(1);
  });

  it('walks my rooms and a room’s members in their listings’ order', async () => {
    const member = await newUser(t, { site });
    const { client, requests } = await clientOf(member);
    const rooms = await collect(client.rooms.iterate({ pageSize: 100 }));
    for (const room of rooms.slice(0, 12)) await joinRoom(t, member, room);

    const mine = await collect(client.rooms.iterateMine({ pageSize: 5 }));
    expect(mine).toHaveLength(12);
    expect(mine.map((r) => r.id)).toEqual(
      (await client.rooms.myRooms({ limit: 100 })).items.map((r) => r.id),
    );
    expect(mine.every((r) => r.role === 'member' && r.unreadCount === 0)).toBe(true);
    expect(requests.filter((r) => r.startsWith('/v1/me/rooms?limit=5'))).toHaveLength(3);

    // One room with eleven members besides its owner.
    const busy = rooms[0]!;
    for (let i = 0; i < 10; i += 1) await joinRoom(t, await newUser(t, { site }), busy);
    const members = await collect(client.rooms.iterateMembers(busy.id, { pageSize: 4 }));
    expect(members).toHaveLength(12);
    const listed = await client.rooms.members(busy.id, { limit: 100 });
    expect(members.map((m) => m.user.id)).toEqual(listed.items.map((m) => m.user.id));
    expect(new Set(members.map((m) => m.user.id)).size).toBe(12);

    // The ban list, as its moderator sees it.
    const banned = await newUser(t, { site });
    await joinRoom(t, banned, busy);
    const { client: ownerClient } = await clientOf(owner);
    await ownerClient.rooms.ban(busy.id, banned.user.id);
    const bans = await collect(ownerClient.rooms.iterateMembers(busy.id, { status: 'banned', pageSize: 1 }));
    expect(bans.map((m) => m.user.id)).toEqual([banned.user.id]);
  });
});
