/**
 * The SDK's connection reports a room's presence only forward in time. A room's states reach it by separate
 * paths — the `room:join` answer, broadcasts from its node and, through Redis, from other nodes — so an older
 * state can arrive after a newer one. By their `version` the connection drops a `presence` no newer than the
 * last state it reported, and `room:joined` carries a broadcast that overtook the join answer rather than
 * the answer's older state. Both orders are made here on a real server: a genuine older
 * state sent again (a raw socket in the room shows it really was delivered), and a leave broadcast pushed in
 * before the join answer.
 */
import { createClient, type Connection, type PresenceState, type SyncTalkClient } from '@synctalk/sdk';
import { afterAll, afterEach, expect, it } from 'vitest';
import { chatRoomName } from '../src/platform/realtime/room-names.js';
import {
  ack,
  closeChatClients,
  connectChat,
  eventually,
  nextEvent,
  record,
  type ChatClient,
} from './helpers/cluster.js';
import { joinRoom, newRoom, newUser, uniqueName, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres', 'redisCluster'], 'sdk: presence never goes back in time', () => {
  const { t } = useServer({ label: 'sdk_presence_order', services: ['postgres', 'redisCluster'] });
  const connections: Connection[] = [];

  afterEach(() => closeChatClients());
  afterAll(() => {
    for (const c of connections) c.close();
  });

  /** Bob, on the SDK, a member of a new room of Alice's; his connection records every `presence`. */
  async function bobInRoomOf(alice: TestUser) {
    const room = await newRoom(t, alice, { title: 'Harbour Street Bakery' });
    const client: SyncTalkClient = createClient({ baseUrl: t.url });
    await client.auth.signup({ username: uniqueName('bob'), password: 'correct horse battery' });
    await client.rooms.join(room.id);
    const chat = await client.connect();
    connections.push(chat);
    const reported: PresenceState[] = [];
    chat.on('presence', (p) => reported.push(p));
    const joinedEvents: PresenceState[] = [];
    chat.on('room:joined', ({ presence }) => joinedEvents.push(presence));
    return { room, chat, reported, joinedEvents };
  }

  const joinRaw = async (
    user: TestUser,
    roomId: string,
  ): Promise<{ socket: ChatClient; state: PresenceState }> => {
    const socket = await connectChat(t.url, { token: user.token });
    const res = await ack(socket, 'room:join', { roomId });
    expect(res.error).toBeUndefined();
    return { socket, state: res.presence as PresenceState };
  };

  it('drops a presence older than one it reported, and goes on with newer ones', async () => {
    const alice = await newUser(t);
    const carol = await newUser(t);
    const { room, chat, reported } = await bobInRoomOf(alice);
    await joinRoom(t, carol, room);
    const joined = await chat.joinRoom(room.id);
    expect(joined.presence.count).toBe(1);

    const { socket: aliceSocket, state: withAlice } = await joinRaw(alice, room.id);
    await eventually(() => reported.some((p) => p.version === withAlice.version));
    const heardByAlice = record(aliceSocket, 'presence');

    // Bob's join state, older than Alice's arrival, reaches the room again: a broadcast that was held up.
    t.server.chat.nsp.to(chatRoomName(room.id)).emit('presence', joined.presence);
    await eventually(() => heardByAlice.length === 1);
    expect(heardByAlice[0]).toEqual(joined.presence);

    // A later change, on the same socket after the stale one: once Bob reports it, the stale one was seen.
    const { state: withCarol } = await joinRaw(carol, room.id);
    await eventually(() => reported.some((p) => p.version === withCarol.version));
    // Bob's own arrival reaches him as a `presence` only when its broadcast (published through Redis first)
    // beat his join answer; otherwise the answer reported it, on `room:joined`, and the broadcast was dropped.
    const ownArrival = reported[0]?.version === joined.presence.version ? [joined.presence] : [];
    // Then Alice's and Carol's: each once, in order; the stale copy of Bob's arrival is not among them.
    expect(reported).toEqual([...ownArrival, withAlice, withCarol]);
  });

  it('reports on room:joined a broadcast that overtook the join answer, not the older answer', async () => {
    const alice = await newUser(t);
    const carol = await newUser(t);
    const { room, chat, reported, joinedEvents } = await bobInRoomOf(alice);
    await joinRoom(t, carol, room);
    const { socket: aliceSocket } = await joinRaw(alice, room.id);
    const { socket: carolSocket } = await joinRaw(carol, room.id);

    // While the server prepares Bob's answer (its presence already counted), Alice leaves: that broadcast
    // reaches Bob's socket (in the room by then) before his answer, which still counts her.
    const presence = t.server.chat.presence;
    const answered: PresenceState[] = [];
    const originalJoin = presence.join;
    presence.join = async (...args) => {
      const change = await originalJoin(...args);
      if (args[2] !== alice.user.id && args[2] !== carol.user.id) answered.push(change.state);
      return change;
    };
    const messages = t.server.chat.messages;
    const originalCatchUp = messages.catchUp;
    messages.catchUp = async (...args) => {
      const carolHeard = nextEvent(carolSocket, 'presence', (p) => !p.online.includes(alice.user.id));
      expect(await ack(aliceSocket, 'room:leave', { roomId: room.id })).toEqual({ ok: true });
      await carolHeard;
      return originalCatchUp(...args);
    };
    let joined;
    try {
      joined = await chat.joinRoom(room.id);
    } finally {
      presence.join = originalJoin;
      messages.catchUp = originalCatchUp;
    }

    // The answer was older: it still counted Alice.
    expect(answered).toHaveLength(1);
    expect(answered[0]!.online).toContain(alice.user.id);
    expect(answered[0]!.count).toBe(3);
    // Bob's connection reports the newer state everywhere, the answer's never.
    expect(joined.presence.online).not.toContain(alice.user.id);
    expect(joined.presence.count).toBe(2);
    expect(BigInt(joined.presence.version)).toBeGreaterThan(BigInt(answered[0]!.version));
    expect(joinedEvents).toEqual([joined.presence]);
    // Bob's own arrival (the answer's state, broadcast before the answer), then Alice's leave.
    expect(reported).toEqual([answered[0], joined.presence]);
  });
});
