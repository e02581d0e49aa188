/**
 * The "done when": a node SIGKILLed mid-delivery loses no event. A server in a child process claims
 * deliveries and POSTs them to a receiver that never answers; it is killed -9 while it holds their leases.
 * Once the leases run out (WEBHOOK_TIMEOUT plus a margin) another node delivers everything: the ones the dead
 * node held a second time (at least once), all of them by event id exactly once, each room in order.
 */
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

const ROOMS = 4;
const PER_ROOM = 10;
const WEBHOOK_ENV = {
  WEBHOOK_ALLOW_PRIVATE: 'true',
  WEBHOOK_POLL_INTERVAL: '100ms',
  WEBHOOK_TIMEOUT: '3s',
  WEBHOOK_RETRY_BASE: '100ms',
  WEBHOOK_RETRY_MAX: '500ms',
};

describeWith(['postgres', 'redisCluster'], 'webhooks: a node killed mid-delivery loses no event', () => {
  // The first node only serves the API: its worker is off, so the child process takes the deliveries.
  const { cluster, nodes } = useServer({
    label: 'webhooks_node_killed',
    nodes: 1,
    env: { ...WEBHOOK_ENV, WEBHOOKS_ENABLED: 'false', MESSAGE_RATE_LIMIT: '100000' },
  });
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    receiver = await startWebhookReceiver('hang');
  });
  afterAll(() => receiver.close());

  it('re-delivers what the dead node held once its leases expire', { timeout: 120_000 }, async () => {
    const [api] = nodes;
    const admin = await newAdmin(api);
    await createEndpoint(api.url, admin, { url: receiver.url, events: ['message.created'] });
    const rooms: Room[] = [];
    const authors: TestUser[] = [];
    for (let i = 0; i < ROOMS; i += 1) {
      const owner = await newUser(api);
      const room = await newRoom(api, owner);
      rooms.push(room);
      authors.push(owner);
      await joinRoom(api, await newUser(api), room);
    }
    const sent = new Set<string>();
    for (let n = 0; n < PER_ROOM; n += 1) {
      await Promise.all(
        rooms.map(async (room, r) => {
          const res = await client(api.url).post(`/v1/rooms/${room.id}/messages`, {
            headers: authors[r]!.headers,
            body: { clientMsgId: `k-${r}-${n}`, text: `m ${n}` },
          });
          expect(res.status).toBe(201);
          sent.add(res.body.message.id as string);
        }),
      );
    }

    // The child claims each room's head and hangs on it; then it dies without a word.
    const doomed = await cluster.startNode({ process: true, env: { WEBHOOKS_ENABLED: 'true' } });
    await receiver.until(() => receiver.received.length >= ROOMS, 30_000, 'the child node POSTing');
    await cluster.stopNode(doomed, { kill: true });
    const held = new Set(receiver.received.map((r) => eventOf(r).id));
    expect(held.size).toBe(ROOMS);
    const leased = await api.server
      .db('webhook_deliveries')
      .where('lease_until', '>', api.server.db.fn.now())
      .where({ status: 'pending' })
      .count<{ n: string }[]>({ n: '*' });
    expect(Number(leased[0]!.n)).toBe(ROOMS);
    // It recorded none of those attempts.
    const [recorded] = await api.server.db('webhook_attempts').count<{ n: string }[]>({ n: '*' });
    expect(Number(recorded!.n)).toBe(0);

    // A surviving node with a worker takes over once the leases expire.
    receiver.answer(200);
    await cluster.startNode({ env: { WEBHOOKS_ENABLED: 'true' } });
    const firstByEvent = new Map<string, ReturnType<typeof eventOf>>();
    await receiver.until(
      () => {
        for (const r of receiver.accepted()) {
          const event = eventOf(r);
          if (!firstByEvent.has(event.id)) firstByEvent.set(event.id, event);
        }
        return firstByEvent.size >= ROOMS * PER_ROOM;
      },
      60_000,
      'the survivor delivering everything',
    );

    const messageIds = [...firstByEvent.values()].map((e) => (e.data.message as { id: string }).id);
    expect([...messageIds].sort()).toEqual([...sent].sort());
    // The held ones came twice (at least once); every event was accepted exactly once.
    for (const id of held) expect(receiver.received.filter((r) => eventOf(r).id === id)).toHaveLength(2);
    expect(receiver.accepted()).toHaveLength(ROOMS * PER_ROOM);
    const byRoom = new Map<string, number[]>();
    for (const r of receiver.accepted()) {
      const m = eventOf(r).data.message as { roomId: string; seq: string };
      byRoom.set(m.roomId, [...(byRoom.get(m.roomId) ?? []), Number(m.seq)]);
    }
    for (const seqs of byRoom.values()) expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    await expect
      .poll(async () => {
        const rows = await api.server
          .db('webhook_deliveries')
          .where({ status: 'delivered' })
          .count({ n: '*' });
        return Number(rows[0]!.n);
      })
      .toBe(ROOMS * PER_ROOM);
    // The taken-over deliveries count both attempts.
    const retaken = await api.server
      .db('webhook_deliveries')
      .whereIn('event_id', [...held])
      .pluck('attempts');
    expect(retaken).toEqual(Array(ROOMS).fill(2));
  });
});
