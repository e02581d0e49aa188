/**
 * A connection cut off for flooding cannot come straight back with a fresh budget: its user's new
 * connections to that node are refused `rate_limited` (with `retryAfter`) until an idle bucket would be
 * full again, and the SDK waits as asked instead of hammering the handshake.
 */
import { createClient } from '@synctalk/sdk';
import { expect, it } from 'vitest';
import { ack, connectChat, nextEvent, refusedChat, type ChatClient } from './helpers/cluster.js';
import { newRoom, newUser, uniqueName } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

/** SOCKET_EVENT_BURST / SOCKET_EVENT_RATE below: how long a cut-off user waits. */
const PENALTY_MS = 3000;

/** Emits `typing:stop` until the server cuts the connection off; resolves with the disconnect reason. */
function floodUntilCutOff(socket: ChatClient): Promise<unknown> {
  const cutOff = nextEvent(socket as never, 'disconnect' as never, () => true, 20_000) as Promise<unknown>;
  const raw = socket as unknown as { emit(e: string, p: unknown, ack: () => void): void };
  for (let i = 0; i < 200; i += 1) raw.emit('typing:stop', { roomId: '1' }, () => {});
  return cutOff;
}

describeWith(
  ['postgres', 'redisCluster'],
  'chat: a user cut off for flooding waits before reconnecting',
  () => {
    const [a] = useServer({
      label: 'chat_flood_penalty',
      nodes: 1,
      env: { SOCKET_EVENT_RATE: '2', SOCKET_EVENT_BURST: '6', SOCKET_FLOOD_DISCONNECT: '20' },
    }).nodes;

    it('refuses the flooder’s reconnects for the penalty, and nobody else’s', async () => {
      const mallory = await newUser(a);
      const bob = await newUser(a);
      const room = await newRoom(a, bob);
      const bobSocket = await connectChat(a.url, { token: bob.token });

      expect(await floodUntilCutOff(await connectChat(a.url, { token: mallory.token }))).toBe(
        'io server disconnect',
      );
      const cutOffAt = Date.now();
      const refusal = await refusedChat(a.url, { token: mallory.token });
      expect(refusal.data).toEqual({
        error: {
          code: 'rate_limited',
          message: expect.stringMatching(
            /^This user was disconnected for sending too many events; reconnect in [1-3] s$/,
          ),
          details: { retryAfter: expect.any(Number) },
        },
      });
      expect(refusal.data!.error.details).toMatchObject({
        retryAfter: expect.toSatisfy((s: number) => s >= 1 && s <= 3),
      });

      // Others connect and chat as usual, on a connection opened before and one opened now.
      expect((await ack(bobSocket, 'room:join', { roomId: room.id })).room.id).toBe(room.id);
      const bobAgain = await connectChat(a.url, { token: bob.token });
      expect((await ack(bobAgain, 'room:join', { roomId: room.id })).room.id).toBe(room.id);

      // Once the penalty is over the flooder is welcome again, with a full budget.
      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, cutOffAt + PENALTY_MS + 50 - Date.now())),
      );
      const back = await connectChat(a.url, { token: mallory.token });
      const own = await newRoom(a, mallory);
      expect((await ack(back, 'room:join', { roomId: own.id })).room.id).toBe(own.id);
    });

    it('the SDK waits the retryAfter it was given, then connects', async () => {
      const client = createClient({ baseUrl: a.url });
      const { accessToken } = await client.auth.signup({
        username: uniqueName('flood'),
        password: 'correct horse battery',
      });
      // Handshakes the server sees (the SDK opens a new engine connection for each attempt).
      let handshakes = 0;
      const count = () => (handshakes += 1);
      a.server.io.engine.on('connection', count);
      try {
        expect(await floodUntilCutOff(await connectChat(a.url, { token: accessToken }))).toBe(
          'io server disconnect',
        );
        handshakes = 0;
        const cutOffAt = Date.now();
        const chat = await client.connect({ reconnect: { initialMs: 20, maxMs: 20 } });
        expect(Date.now() - cutOffAt).toBeGreaterThanOrEqual(PENALTY_MS - 100);
        // One refused attempt, then the one after the wait: not one every 20 ms of its backoff.
        expect(handshakes).toBe(2);
        expect(chat.status).toBe('connected');
        chat.close();
      } finally {
        a.server.io.engine.off('connection', count);
      }
    });
  },
);
