import { afterAll, beforeAll, expect, it } from 'vitest';
import { defaultSite, newAdmin, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';
import {
  createEndpoint,
  eventOf,
  messageCreated,
  queueEvents,
  startWebhookReceiver,
  type WebhookReceiver,
} from './helpers/webhook-receiver.js';

describeWith(['postgres'], "webhooks: a room's events reach an endpoint in order, retries included", () => {
  const { t } = useServer({
    label: 'webhooks_room_order',
    env: {
      WEBHOOK_ALLOW_PRIVATE: 'true',
      WEBHOOK_POLL_INTERVAL: '50ms',
      WEBHOOK_RETRY_BASE: '20ms',
      WEBHOOK_RETRY_MAX: '100ms',
      WEBHOOK_CONCURRENCY: '8',
    },
  });
  let admin: TestUser;
  let receiver: WebhookReceiver;
  beforeAll(async () => {
    admin = await newAdmin(t);
    receiver = await startWebhookReceiver();
  });
  afterAll(() => receiver.close());

  it('never sends a room event before the previous one was accepted, while other rooms go on', async () => {
    const site = await defaultSite(t);
    // Every third request fails: retries are interleaved with everything else.
    let n = 0;
    receiver.answer(() => (++n % 3 === 0 ? 503 : 200));
    await createEndpoint(t.url, admin, { url: receiver.url, events: ['message.created'] });
    const rooms = ['11', '12', '13', '14'];
    const perRoom = 15;
    // Several commits, each with events of several rooms.
    for (let seq = 1; seq <= perRoom; seq += 5) {
      const batch = rooms.flatMap((room) => [0, 1, 2, 3, 4].map((k) => messageCreated(site, room, seq + k)));
      await queueEvents(t.server.db, batch);
      t.server.deps.webhooks.nudge();
    }
    await receiver.until(() => receiver.accepted().length === rooms.length * perRoom, 30_000);

    const failures = receiver.received.filter((r) => r.answer !== 200).length;
    expect(failures).toBeGreaterThan(10);
    for (const room of rooms) {
      const log = receiver.received
        .filter((r) => eventOf(r).data.roomId === room)
        .map((r) => ({
          seq: Number((eventOf(r).data.message as { seq: string }).seq),
          ok: r.answer === 200,
        }));
      let expected = 1;
      for (const entry of log) {
        // Either the retry of the one not yet accepted, or, once it was, the next one.
        expect(entry.seq, `room ${room}`).toBe(expected);
        if (entry.ok) expected += 1;
      }
      expect(expected).toBe(perRoom + 1);
    }
    // Rooms went on in parallel: some room's event arrived between two of another room's.
    const order = receiver.received.map((r) => eventOf(r).data.roomId);
    expect(order.some((room, i) => i > 0 && room !== order[i - 1])).toBe(true);
  });
});
