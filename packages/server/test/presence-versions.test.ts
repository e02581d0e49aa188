/**
 * Presence versions: every change of a room's presence — a join, a leave, the expiry of a dead node's
 * connections — gets a larger version than the change before it, taken in the shared store with the change
 * itself. So all nodes number a room's states in one sequence, the `room:join` answer and the broadcasts of
 * one change carry the same version, and every connection, on whichever node, sees each change under the
 * same version. That is what lets a client drop a state that reaches it after a newer one (the SDK does:
 * sdk-presence-order.test.ts).
 */
import type { PresenceState } from '@synctalk/sdk';
import { afterEach, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/platform/logger.js';
import { createSharedStore } from '../src/platform/redis.js';
import {
  ack,
  closeChatClients,
  connectChat,
  eventually,
  nextEvent,
  record,
  type ChatClient,
} from './helpers/cluster.js';
import { redisClusterNodes } from './helpers/env.js';
import { defaultSite, joinRoom, newRoom, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const PRESENCE_TTL_MS = 2000;
const ids = (...users: TestUser[]) =>
  users.map((u) => u.user.id).sort((x, y) => (BigInt(x) < BigInt(y) ? -1 : 1));
const byVersion = (states: PresenceState[]) =>
  [...states].sort((x, y) => (BigInt(x.version) < BigInt(y.version) ? -1 : 1));
const increasing = (versions: string[]) => {
  for (let i = 1; i < versions.length; i += 1) {
    expect(BigInt(versions[i]!)).toBeGreaterThan(BigInt(versions[i - 1]!));
  }
};

describeWith(
  ['postgres', 'redisCluster'],
  'presence: versions ordered across joins, leaves and expiry',
  () => {
    const { cluster: c, nodes } = useServer({
      label: 'presence_versions',
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

    const join = async (socket: ChatClient, roomId: string): Promise<PresenceState> => {
      const res = await ack(socket, 'room:join', { roomId });
      expect(res.error).toBeUndefined();
      return res.presence as PresenceState;
    };

    it('on one node: each join, leave and expiry is numbered after the one before', async () => {
      const [bob, alice, carol] = [await newUser(a), await newUser(a), await newUser(a)];
      const room = await roomWith(bob, alice, carol);
      const bobOnA = await connectChat(a.url, { token: bob.token });
      const own = nextEvent(bobOnA, 'presence');
      const first = await join(bobOnA, room.id);
      // The answer and the broadcast of one change: the same state, version included.
      expect(await own).toEqual(first);

      const arrived = nextEvent(bobOnA, 'presence', (p) => p.count === 2);
      const aliceOnA = await connectChat(a.url, { token: alice.token });
      const second = await join(aliceOnA, room.id);
      expect(second.online).toEqual(ids(bob, alice));
      expect(await arrived).toEqual(second);

      const left = nextEvent(bobOnA, 'presence', (p) => p.count === 1);
      expect(await ack(aliceOnA, 'room:leave', { roomId: room.id })).toEqual({ ok: true });
      const third = await left;
      expect(third.online).toEqual(ids(bob));

      // A node's last write before it died: Carol online there, never refreshed again.
      const store = await createSharedStore(
        loadConfig({ NODE_ENV: 'test', REDIS_CLUSTER_NODES: redisClusterNodes() }).redis,
        { retries: 1, logger: createLogger('silent') },
      );
      let ghost;
      try {
        const key = `presence:${(await defaultSite(a)).publicId}:room:${room.id}`;
        ghost = await store.expiringSet(key, 'add', [`${carol.user.id}|dead-node-socket`], 300);
      } finally {
        await store.close();
      }
      expect(ghost.members).toHaveLength(2);
      // Node A's heartbeat finds her expired and tells the room.
      const expired = await nextEvent(bobOnA, 'presence', () => true, 4 * PRESENCE_TTL_MS);
      expect(expired.online).toEqual(ids(bob));

      increasing([first.version, second.version, third.version, ghost.version, expired.version]);
    });

    it('across nodes: one sequence, and every connection sees each change under the same version', async () => {
      const doomed = await c.startNode();
      const [bob, dave, alice, carol] = [
        await newUser(a),
        await newUser(a),
        await newUser(a),
        await newUser(a),
      ];
      const room = await roomWith(bob, dave, alice, carol);
      const bobOnA = await connectChat(a.url, { token: bob.token });
      await join(bobOnA, room.id);
      const daveOnB = await connectChat(b.url, { token: dave.token });
      const settled = [bobOnA, daveOnB].map((s) => nextEvent(s, 'presence', (p) => p.count === 2));
      await join(daveOnB, room.id);
      await Promise.all(settled);
      const seenOnA = record(bobOnA, 'presence');
      const seenOnB = record(daveOnB, 'presence');

      const aliceOnB = await connectChat(b.url, { token: alice.token });
      const aliceJoined = await join(aliceOnB, room.id);
      const carolOnDoomed = await connectChat(doomed.url, { token: carol.token });
      const carolJoined = await join(carolOnDoomed, room.id);
      expect(await ack(aliceOnB, 'room:leave', { roomId: room.id })).toEqual({ ok: true });
      await c.stopNode(doomed, { kill: true });

      const gone = (seen: PresenceState[]) => seen.some((p) => p.count === 2);
      await eventually(() => gone(seenOnA) && gone(seenOnB), 4 * PRESENCE_TTL_MS);

      // Whatever order they arrived in, both observers got the same four states, numbered as they happened.
      const expected = [
        aliceJoined,
        carolJoined,
        { roomId: room.id, online: ids(bob, dave, carol), count: 3, version: expect.any(String) },
        { roomId: room.id, online: ids(bob, dave), count: 2, version: expect.any(String) },
      ];
      expect(aliceJoined.online).toEqual(ids(bob, dave, alice));
      expect(carolJoined.online).toEqual(ids(bob, dave, alice, carol));
      expect(byVersion(seenOnA)).toEqual(expected);
      expect(byVersion(seenOnB)).toEqual(byVersion(seenOnA));
      increasing(byVersion(seenOnA).map((p) => p.version));
    });
  },
);
