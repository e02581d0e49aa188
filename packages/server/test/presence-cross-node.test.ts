import type { PresenceState } from '@synctalk/sdk';
import { afterEach, expect, it } from 'vitest';
import {
  ack,
  closeChatClients,
  connectChat,
  eventually,
  nextEvent,
  record,
  type ChatClient,
} from './helpers/cluster.js';
import { defaultSite, joinRoom, newRoom, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const PRESENCE_TTL_MS = 2000;
/** The version of a room's presence (its order is proven in presence-versions.test.ts). */
const version = expect.stringMatching(/^[1-9]\d*$/);

describeWith(['postgres', 'redisCluster'], 'presence: online per connection, across nodes', () => {
  const { cluster: c, nodes } = useServer({
    label: 'presence_cross_node',
    nodes: 2,
    env: { PRESENCE_TTL: '2s' },
  });
  const [a, b] = nodes;

  afterEach(() => closeChatClients());

  async function roomWith(...members: TestUser[]) {
    const room = await newRoom(a, members[0]!);
    for (const m of members.slice(1)) await joinRoom(a, m, room);
    return room;
  }

  const join = async (socket: ChatClient, roomId: string) => {
    const res = await ack(socket, 'room:join', { roomId });
    expect(res.error).toBeUndefined();
    return res.presence as PresenceState;
  };

  it('keeps a user with two tabs on two nodes online until the last tab closes', async () => {
    const alice = await newUser(a);
    const bob = await newUser(a);
    const room = await roomWith(bob, alice);
    const bobOnA = await connectChat(a.url, { token: bob.token });
    // Broadcasts may arrive after the ack: wait for Bob's own arrival before counting announcements.
    const own = nextEvent(bobOnA, 'presence');
    expect(await join(bobOnA, room.id)).toEqual({
      roomId: room.id,
      online: [bob.user.id],
      count: 1,
      version,
    });
    expect(await own).toEqual({ roomId: room.id, online: [bob.user.id], count: 1, version });
    const seen = record(bobOnA, 'presence');

    const tab1 = await connectChat(a.url, { token: alice.token });
    const tab2 = await connectChat(b.url, { token: alice.token });
    const both = [bob.user.id, alice.user.id].sort((x, y) => Number(x) - Number(y));
    expect(await join(tab1, room.id)).toEqual({ roomId: room.id, online: both, count: 2, version });
    await eventually(() => seen.length === 1);
    expect(seen[0]).toEqual({ roomId: room.id, online: both, count: 2, version });
    // The second tab changes no one's status: no announcement.
    expect(await join(tab2, room.id)).toEqual({ roomId: room.id, online: both, count: 2, version });

    tab1.close();
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toHaveLength(1);
    const late = await connectChat(b.url, { token: bob.token });
    expect((await join(late, room.id)).online).toEqual(both);

    const offline = nextEvent(bobOnA, 'presence', (p) => p.count === 1);
    tab2.close();
    expect(await offline).toEqual({ roomId: room.id, online: [bob.user.id], count: 1, version });
  });

  it('takes a user offline when they leave the room (room:leave) and back when they rejoin', async () => {
    const alice = await newUser(a);
    const bob = await newUser(a);
    const room = await roomWith(bob, alice);
    const bobOnB = await connectChat(b.url, { token: bob.token });
    await join(bobOnB, room.id);
    const aliceOnA = await connectChat(a.url, { token: alice.token });
    await join(aliceOnA, room.id);
    const gone = nextEvent(bobOnB, 'presence', (p) => !p.online.includes(alice.user.id));
    expect(await ack(aliceOnA, 'room:leave', { roomId: room.id })).toEqual({ ok: true });
    expect((await gone).count).toBe(1);
    const back = nextEvent(bobOnB, 'presence', (p) => p.online.includes(alice.user.id));
    await join(aliceOnA, room.id);
    expect((await back).count).toBe(2);
  });

  it('expires the connections of a crashed node within the presence TTL', async () => {
    const doomed = await c.startNode();
    const alice = await newUser(a);
    const bob = await newUser(a);
    const room = await roomWith(bob, alice);
    const bobOnA = await connectChat(a.url, { token: bob.token });
    await join(bobOnA, room.id);
    const aliceOnDoomed = await connectChat(doomed.url, { token: alice.token });
    expect((await join(aliceOnDoomed, room.id)).count).toBe(2);

    const crashedAt = Date.now();
    const offline = nextEvent(
      bobOnA,
      'presence',
      (p) => !p.online.includes(alice.user.id),
      4 * PRESENCE_TTL_MS,
    );
    await c.stopNode(doomed, { kill: true });
    const state = await offline;
    const elapsed = Date.now() - crashedAt;
    expect(state).toEqual({ roomId: room.id, online: [bob.user.id], count: 1, version });
    // Bound: the TTL, plus one heartbeat period of the surviving node to notice.
    expect(elapsed).toBeLessThanOrEqual(PRESENCE_TTL_MS + PRESENCE_TTL_MS / 3 + 500);
    expect(elapsed).toBeGreaterThanOrEqual(PRESENCE_TTL_MS / 2);
  });

  it('keeps refreshing live connections: nobody expires while connected', async () => {
    const alice = await newUser(a);
    const bob = await newUser(a);
    const room = await roomWith(bob, alice);
    const bobOnA = await connectChat(a.url, { token: bob.token });
    await join(bobOnA, room.id);
    const aliceOnB = await connectChat(b.url, { token: alice.token });
    const arrived = nextEvent(bobOnA, 'presence', (p) => p.count === 2);
    await join(aliceOnB, room.id);
    await arrived;
    const seen = record(bobOnA, 'presence');
    await new Promise((r) => setTimeout(r, PRESENCE_TTL_MS * 2));
    expect(seen).toEqual([]);
    expect((await a.server.chat.presence.get((await defaultSite(a)).publicId, room.id)).count).toBe(2);
  });
});
