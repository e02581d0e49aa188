import type { Room } from '@synctalk/sdk';
import { expect, it } from 'vitest';
import { connectChat, type ChatClient } from './helpers/cluster.js';
import { newRoom, newUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

/** The widget subscribes to at most this many rooms (its room list), all at once. */
const WIDGET_ROOMS = 50;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ack = any;

describeWith(
  ['postgres', 'redisCluster'],
  'chat: the default event budget fits what clients send at once',
  () => {
    // Defaults: SOCKET_EVENT_RATE=20, SOCKET_EVENT_BURST=100, SOCKET_QUEUE_MAX=100.
    const [a] = useServer({
      label: 'chat_event_budget',
      nodes: 1,
    }).nodes;

    it(`never refuses a (re)connect: ${WIDGET_ROOMS} room joins, pending sends and read markers at once`, async () => {
      const alice = await newUser(a);
      const rooms: Room[] = [];
      for (let i = 0; i < WIDGET_ROOMS; i += 1) rooms.push(await newRoom(a, alice));

      // What the SDK sends on connect: every room's join, the outbox, read markers; no waiting in between.
      const connectBurst = (socket: ChatClient) => {
        const raw = socket as unknown as { emit(e: string, p: unknown, ack: (r: Ack) => void): void };
        const events: [string, unknown][] = [
          ...rooms.map((r): [string, unknown] => ['room:join', { roomId: r.id }]),
          ...rooms
            .slice(0, 10)
            .map((r, i): [string, unknown] => [
              'message:send',
              { roomId: r.id, clientMsgId: `o${i}`, text: `offline ${i}` },
            ]),
          ...rooms.slice(0, 5).map((r): [string, unknown] => ['read:update', { roomId: r.id, seq: '0' }]),
        ];
        return Promise.all(
          events.map(
            ([event, payload]) =>
              new Promise<[string, Ack]>((resolve) =>
                raw.emit(event, payload, (r: Ack) => resolve([event, r])),
              ),
          ),
        );
      };

      for (const attempt of ['connect', 'reconnect']) {
        const socket = await connectChat(a.url, { token: alice.token });
        const acks = await connectBurst(socket);
        expect(acks).toHaveLength(WIDGET_ROOMS + 15);
        for (const [event, r] of acks) expect(r.error, `${attempt}: ${event}`).toBeUndefined();
        expect(acks.filter(([event]) => event === 'room:join').map(([, r]) => r.room.id)).toEqual(
          rooms.map((r) => r.id),
        );
        socket.close();
      }
      // The reconnect's sends were retries of the same clientMsgIds: stored once.
      expect(await a.server.db('messages').whereLike('client_msg_id', 'o%')).toHaveLength(10);
    });
  },
);
