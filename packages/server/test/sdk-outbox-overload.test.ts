/**
 * A send an overloaded node refused (`unavailable` with `retryAfter`, SEND_QUEUE_MAX sends in progress) is
 * sent again by the SDK's outbox once `retryAfter` has passed, with the same `clientMsgId`, and stored once.
 */
import { createClient, type Connection, type OutgoingMessage } from '@synctalk/sdk';
import { afterAll, afterEach, expect, it } from 'vitest';
import { ack, closeChatClients, connectChat, eventually } from './helpers/cluster.js';
import { newUser, uniqueName } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const QUEUE_MAX = 2;

describeWith(['postgres', 'redisCluster'], 'sdk: a send refused by an overloaded node is sent again', () => {
  const { t, http } = useServer({
    label: 'sdk_outbox_overload',
    env: { SEND_QUEUE_MAX: String(QUEUE_MAX), SEND_QUEUE_MAX_WAIT: '1h', METRICS_ENABLED: 'true' },
  });
  const connections: Connection[] = [];
  afterAll(() => {
    for (const chat of connections) chat.close();
  });
  afterEach(() => closeChatClients());

  const metric = async (name: string, labels = ''): Promise<number> => {
    const text = await t.server.metrics!.registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
    return Number(line?.split(' ')[1]);
  };

  it('waits retryAfter after the refusal, sends the same clientMsgId again, and it is stored once', async () => {
    const client = createClient({ baseUrl: t.url });
    await client.auth.signup({ username: uniqueName('ov'), password: 'correct horse battery' });
    const room = await client.rooms.create({ title: 'Busy', visibility: 'public' });
    const chat = await client.connect();
    connections.push(chat);
    await chat.joinRoom(room.id);
    const changes: OutgoingMessage[] = [];
    chat.on('send:status', (o) => changes.push(o));

    // Another member's sends fill the node's bound and stay in progress until released.
    const other = await newUser(t);
    expect((await http.post(`/v1/rooms/${room.id}/join`, { headers: other.headers })).status).toBe(200);
    // One connection each: a connection's sends run one at a time, holding one place.
    const sockets = await Promise.all(
      Array.from({ length: QUEUE_MAX }, () => connectChat(t.url, { token: other.token })),
    );
    const messages = t.server.chat.messages;
    const original = messages.send;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const sent: string[] = [];
    messages.send = async (actor, roomId, input) => {
      sent.push(input.clientMsgId);
      if (input.clientMsgId.startsWith('fill-')) await released;
      return original(actor, roomId, input);
    };
    try {
      const fills = sockets.map((socket, i) =>
        ack(socket, 'message:send', { roomId: room.id, clientMsgId: `fill-${i}`, text: `fill ${i}` }),
      );
      await eventually(async () => (await metric('synctalk_sends_in_progress')) === QUEUE_MAX, 10_000);
      const refusedBefore = await metric('synctalk_sends_refused_total', '{reason="full"}');

      const started = Date.now();
      const pending = chat.send(room.id, 'hello, busy node');
      await eventually(
        async () => (await metric('synctalk_sends_refused_total', '{reason="full"}')) === refusedBefore + 1,
        10_000,
      );
      // Refused before reaching the service: nothing of it was stored.
      expect(sent).not.toContain(pending.clientMsgId);
      release();
      await Promise.all(fills);

      const message = await pending;
      // Not sooner than the 1 s the refusal asked for.
      expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
      expect(message).toMatchObject({ clientMsgId: pending.clientMsgId, text: 'hello, busy node' });
      expect(sent.filter((id) => id === pending.clientMsgId)).toHaveLength(1);
      expect(
        changes.map((c) => `${c.clientMsgId === pending.clientMsgId ? 'mine' : 'other'}:${c.status}`),
      ).toEqual(['mine:pending', 'mine:sent']);
      const rows = await t.server
        .db('messages')
        .where({ room_id: room.id, client_msg_id: pending.clientMsgId });
      expect(rows).toHaveLength(1);
      expect(await metric('synctalk_sends_refused_total', '{reason="full"}')).toBe(refusedBefore + 1);
    } finally {
      release();
      messages.send = original;
    }
  });
});
