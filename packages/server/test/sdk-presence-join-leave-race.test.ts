/**
 * The "0 online right after joining" race, reproduced: a participant leaves a room while a visitor joins it.
 * When the leave is counted first (the visitor not in yet) but its broadcast, from the participant's node,
 * reaches the visitor after the visitor's join answer (which counts the visitor), a client that shows
 * whatever came last ends below the truth; the other way round (the answer counted first, the leave's
 * broadcast arriving while the SDK still catches up the join) it ends above it. The visitor's SDK connection
 * must end showing the room's real count: once with the leave's broadcast held back on its node until the
 * visitor has joined (as a slow Redis Pub/Sub hop or a busy node would), so that the crossing happens every
 * time, and once as it comes, leave and join at the same moment, round after round.
 */
import { createClient, type Connection, type PresenceState, type SyncTalkClient } from '@synctalk/sdk';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ClusterNode } from './helpers/cluster.js';
import { ack, closeChatClients, connectChat, eventually } from './helpers/cluster.js';
import { defaultSite, joinRoom, newRoom, newUser, uniqueName } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

/** A node's room emitter's `emit`, loosely typed: the wrapper passes any event through unchanged. */
type Emit = (roomId: string, event: string, ...args: unknown[]) => void;

/** Rounds of the unforced race: before the fix, several of 40 ended with the wrong count. */
const ROUNDS = 40;

/**
 * Watches `node`'s presence broadcasts of `roomId`: `left` resolves with the first that no longer lists
 * `userId` (the state the node computed for the leave). With `hold`, broadcasts are kept back until
 * `release()`; without, they go out as usual.
 */
function watchLeave(node: ClusterNode, roomId: string, userId: string, hold: boolean) {
  const realtime = node.server.deps.realtime as unknown as { emit: Emit };
  const original: Emit = realtime.emit;
  const queue: Parameters<Emit>[] = [];
  let found: (state: PresenceState) => void;
  const left = new Promise<PresenceState>((resolve) => (found = resolve));
  realtime.emit = ((...args: Parameters<Emit>) => {
    if (args[0] === roomId && args[1] === 'presence') {
      const state = args[2] as PresenceState;
      if (!state.online.includes(userId)) found(state);
      if (hold) return void queue.push(args);
    }
    return original(...args);
  }) as Emit;
  return {
    left,
    release() {
      realtime.emit = original;
      for (const args of queue.splice(0)) original(...args);
    },
  };
}

describeWith(['postgres', 'redisCluster'], 'sdk: a participant leaves while the visitor joins', () => {
  const { nodes } = useServer({ label: 'sdk_presence_race', nodes: 2 });
  const [a, b] = nodes;
  let visitor: SyncTalkClient;
  let chat: Connection;

  beforeAll(async () => {
    // The visitor, on node A with the SDK.
    visitor = createClient({ baseUrl: a.url });
    await visitor.auth.signup({ username: uniqueName('vis'), password: 'correct horse battery' });
    chat = await visitor.connect();
  });
  afterEach(() => closeChatClients());
  afterAll(() => chat?.close());

  /**
   * A room where Daniel stays online on node B and Priya, there too, is about to leave; the visitor is a
   * member, not joined yet. `shown()`: the last presence the visitor's connection reported for the room.
   */
  async function roomOnB() {
    const daniel = await newUser(a, { displayName: 'Daniel Okafor' });
    const priya = await newUser(a, { displayName: 'Priya Raman' });
    const room = await newRoom(a, daniel, { title: 'Riverside Allotment Society' });
    await joinRoom(a, priya, room);
    await visitor.rooms.join(room.id);
    const daniels = await connectChat(b.url, { token: daniel.token });
    expect((await ack(daniels, 'room:join', { roomId: room.id })).error).toBeUndefined();
    const priyas = await connectChat(b.url, { token: priya.token });
    expect((await ack(priyas, 'room:join', { roomId: room.id })).presence.count).toBe(2);

    let shown: PresenceState | undefined;
    let heardDaniel = false;
    const offs = [
      chat.on('room:joined', ({ presence }) => presence.roomId === room.id && (shown = presence)),
      chat.on('presence', (presence) => presence.roomId === room.id && (shown = presence)),
      chat.on('typing', (t) => t.roomId === room.id && t.userId === daniel.user.id && (heardDaniel = true)),
    ];
    return {
      room,
      daniel,
      priya,
      priyas,
      shown: () => shown,
      /**
       * Daniel types, through node B, after its presence broadcasts went out: once the visitor hears it,
       * they (sent first, on the same channel) have reached the visitor too.
       */
      async settle() {
        expect(await ack(daniels, 'typing:start', { roomId: room.id })).toEqual({ ok: true });
        await eventually(() => heardDaniel);
      },
      async truth() {
        return a.server.chat.presence.get((await defaultSite(a)).publicId, room.id);
      },
      async end() {
        for (const off of offs) off();
        daniels.close();
        await chat.leaveRoom(room.id);
      },
    };
  }

  it('ends with the real count when the leave is counted first and its broadcast held up', async () => {
    const r = await roomOnB();
    const leave = watchLeave(b, r.room.id, r.priya.user.id, true);
    r.priyas.close();
    // Node B counted the leave without the visitor.
    expect((await leave.left).online).toEqual([r.daniel.user.id]);

    expect((await chat.joinRoom(r.room.id)).presence.count).toBe(2);
    leave.release();
    await r.settle();

    const truth = await r.truth();
    expect(truth.count).toBe(2);
    expect(r.shown()).toEqual(truth);
    await r.end();
  });

  it('ends with the real count, round after round, when leave and join happen at the same moment', async () => {
    const wrong: { round: number; shown?: number; truth: number }[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const r = await roomOnB();
      const leave = watchLeave(b, r.room.id, r.priya.user.id, false);
      // Vary which starts first by a little, so the two are counted in either order across rounds.
      setTimeout(() => r.priyas.close(), round % 4);
      await chat.joinRoom(r.room.id);
      await leave.left;
      leave.release();
      await r.settle();
      const truth = await r.truth();
      expect(truth.count).toBe(2);
      if (r.shown()?.version !== truth.version)
        wrong.push({ round, shown: r.shown()?.count, truth: truth.count });
      await r.end();
    }
    expect(wrong).toEqual([]);
  }, 120_000);
});
