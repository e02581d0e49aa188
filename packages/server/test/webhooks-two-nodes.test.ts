/**
 * The "done when": two server nodes on one PostgreSQL database deliver the message.created events of
 * 1,000 messages sent over REST to both of them, while the receiver is down for part of the run. The
 * receiver's log, de-duplicated by event id, has every message exactly once, each room in seq order.
 */
import { verifyWebhook } from '@synctalk/sdk/server';
import type { Room } from '@synctalk/sdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { joinRoom, newAdmin, newRoom, newUser, type TestUser } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import {
  createEndpoint,
  eventOf,
  startWebhookReceiver,
  type WebhookReceiver,
} from './helpers/webhook-receiver.js';

const MESSAGES = 1000;
const ROOMS = 5;

describeWith(
  ['postgres', 'redisCluster'],
  'webhooks: two nodes, 1,000 messages, a receiver down for a while',
  () => {
    const { nodes } = useServer({
      label: 'webhooks_two_nodes',
      nodes: 2,
      env: {
        WEBHOOK_ALLOW_PRIVATE: 'true',
        WEBHOOK_POLL_INTERVAL: '100ms',
        WEBHOOK_RETRY_BASE: '100ms',
        WEBHOOK_RETRY_MAX: '500ms',
        MESSAGE_RATE_LIMIT: '100000',
        SEND_QUEUE_MAX: '1000',
      },
    });
    let receiver: WebhookReceiver;
    beforeAll(async () => {
      receiver = await startWebhookReceiver(503);
    });
    afterAll(() => receiver.close());

    it(
      'delivers every message.created at least once, exactly once by event id, in room order',
      { timeout: 180_000 },
      async () => {
        const [a, b] = nodes;
        const admin = await newAdmin(a);
        const { secret } = await createEndpoint(a.url, admin, {
          url: receiver.url,
          events: ['message.created'],
        });
        const authors: TestUser[] = [];
        const rooms: Room[] = [];
        for (let i = 0; i < ROOMS; i += 1) {
          const owner = await newUser(a);
          const room = await newRoom(a, owner);
          const guest = await newUser(a);
          await joinRoom(a, guest, room);
          authors.push(owner, guest);
          rooms.push(room);
        }

        // Sends spread over both nodes, 20 at a time; the receiver comes back after 40% of them.
        const sent = new Map<string, { roomId: string; seq: number }>();
        let next = 0;
        const sendOne = async (i: number) => {
          const room = rooms[i % ROOMS]!;
          const author = authors[(i % ROOMS) * 2 + (Math.floor(i / ROOMS) % 2)]!;
          const node = i % 2 === 0 ? a : b;
          const res = await client(node.url).post(`/v1/rooms/${room.id}/messages`, {
            headers: author.headers,
            body: { clientMsgId: `w-${i}`, text: `message ${i}` },
          });
          expect(res.status, JSON.stringify(res.body)).toBe(201);
          sent.set(res.body.message.id as string, { roomId: room.id, seq: Number(res.body.message.seq) });
        };
        await Promise.all(
          Array.from({ length: 20 }, async () => {
            while (next < MESSAGES) {
              const i = next++;
              if (i === Math.floor(MESSAGES * 0.4)) receiver.answer(200);
              await sendOne(i);
            }
          }),
        );
        expect(sent.size).toBe(MESSAGES);

        const firstByEvent = new Map<string, ReturnType<typeof eventOf>>();
        await receiver.until(
          () => {
            for (const r of receiver.accepted()) {
              const event = eventOf(r);
              if (!firstByEvent.has(event.id)) firstByEvent.set(event.id, event);
            }
            return firstByEvent.size >= MESSAGES;
          },
          150_000,
          'every message delivered',
        );
        // Some were refused while it was down: retries happened.
        expect(receiver.received.some((r) => r.answer === 503)).toBe(true);

        // Exactly the messages sent, each under one event id.
        const messageIds = [...firstByEvent.values()].map((e) => (e.data.message as { id: string }).id);
        expect(new Set(messageIds).size).toBe(MESSAGES);
        expect([...messageIds].sort()).toEqual([...sent.keys()].sort());
        for (const r of receiver.accepted()) {
          expect(() => verifyWebhook(r.body, r.headers, secret)).not.toThrow();
          expect(eventOf(r).type).toBe('message.created');
        }
        // Room order: the first acceptance of each event, per room, in increasing seq.
        const seqsByRoom = new Map<string, number[]>();
        const accepted = new Set<string>();
        for (const r of receiver.accepted()) {
          const event = eventOf(r);
          if (accepted.has(event.id)) continue;
          accepted.add(event.id);
          const message = event.data.message as { roomId: string; seq: string };
          seqsByRoom.set(message.roomId, [...(seqsByRoom.get(message.roomId) ?? []), Number(message.seq)]);
        }
        expect(seqsByRoom.size).toBe(ROOMS);
        for (const [roomId, seqs] of seqsByRoom) {
          expect(seqs, `room ${roomId}`).toEqual([...seqs].sort((x, y) => x - y));
          expect(seqs).toHaveLength(MESSAGES / ROOMS);
        }
        // Nothing delivered is still pending or failed.
        await expect
          .poll(async () => {
            const counts = await a.server.db.raw<{ rows: { status: string; n: string }[] }>(
              'SELECT status, count(*) AS n FROM webhook_deliveries GROUP BY status',
            );
            return counts.rows.map((r) => [r.status, Number(r.n)]);
          })
          .toEqual([['delivered', MESSAGES]]);
      },
    );
  },
);
