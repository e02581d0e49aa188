import { afterEach, expect, it } from 'vitest';
import { ack, closeChatClients, connectChat } from './helpers/cluster.js';
import { newRoom, newUser, roomOfTwo } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { countQueries } from './helpers/query-count.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const LIMIT = 5;

describeWith(['postgres', 'redisCluster'], 'messages: per-user rate limit shared by every node', () => {
  const [a, b] = useServer({
    label: 'messages_rate_limit',
    nodes: 2,
    env: { MESSAGE_RATE_LIMIT: String(LIMIT), MESSAGE_RATE_WINDOW: '3s' },
  }).nodes;

  afterEach(() => closeChatClients());

  it('answers a flood spread over two nodes with rate_limited, storing only the allowance', async () => {
    const { alice, bob, room } = await roomOfTwo(a);
    const onA = await connectChat(a.url, { token: alice.token });
    const onB = await connectChat(b.url, { token: alice.token });

    const results = await Promise.all(
      Array.from({ length: 14 }, (_, i) =>
        ack(i % 2 ? onA : onB, 'message:send', { roomId: room.id, clientMsgId: `f${i}`, text: `flood ${i}` }),
      ),
    );
    const ok = results.filter((r) => r.message);
    const limited = results.filter((r) => r.error);
    expect(ok).toHaveLength(LIMIT);
    expect(limited).toHaveLength(14 - LIMIT);
    for (const r of limited) {
      expect(r.error).toEqual({
        code: 'rate_limited',
        message: expect.stringMatching(/Too many messages/),
        details: { retryAfter: expect.any(Number) },
      });
      expect(r.error.details.retryAfter).toBeGreaterThanOrEqual(1);
      expect(r.error.details.retryAfter).toBeLessThanOrEqual(3);
    }
    const rows = await a.server.db('messages').where({ room_id: room.id });
    expect(rows).toHaveLength(LIMIT);
    expect(String((await a.server.db('rooms').where({ id: room.id }).first()).last_seq)).toBe(String(LIMIT));

    // Others are unaffected. The limit is checked before any query, so while it holds even a retry of a
    // stored message is refused (telling it apart would take a query).
    const stillLimited = await ack(onA, 'message:send', { roomId: room.id, clientMsgId: 'f99', text: 'x' });
    expect(stillLimited.error.code).toBe('rate_limited');
    const bobOnB = await connectChat(b.url, { token: bob.token });
    expect(
      (await ack(bobOnB, 'message:send', { roomId: room.id, clientMsgId: 'bob', text: 'me?' })).message.seq,
    ).toBe(String(LIMIT + 1));
    const earlyRetry = await ack(onB, 'message:send', {
      roomId: room.id,
      clientMsgId: ok[0].message.clientMsgId,
      text: ok[0].message.text,
    });
    expect(earlyRetry.error).toEqual({
      code: 'rate_limited',
      message: expect.stringMatching(/Too many messages/),
      details: { retryAfter: expect.any(Number) },
    });

    // REST shares the budget and says when to come back.
    const rest = await client(a.url).post(`/v1/rooms/${room.id}/messages`, {
      headers: alice.headers,
      body: { clientMsgId: 'rest', text: 'rest' },
    });
    expect(rest.status).toBe(429);
    expect(Number(rest.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // The window passes: Alice may send again, and the retry is answered with the stored message.
    await new Promise((r) => setTimeout(r, 3100));
    expect(
      (await ack(onA, 'message:send', { roomId: room.id, clientMsgId: 'later', text: 'later' })).message,
    ).toBeDefined();
    const retry = await ack(onB, 'message:send', {
      roomId: room.id,
      clientMsgId: ok[0].message.clientMsgId,
      text: ok[0].message.text,
    });
    expect(retry).toEqual(ok[0]);
  });

  it("refuses sends past the limit without database work: only a connection's first refusal asks", async () => {
    const carol = await newUser(a);
    const room = await newRoom(a, carol);
    const socket = await connectChat(a.url, { token: carol.token });
    const queries = countQueries(a.server.db, [room.id]);
    try {
      const first = await ack(socket, 'message:send', { roomId: room.id, clientMsgId: 'q0', text: 'first' });
      expect(first.message.seq).toBe('1');
      const perSend = queries.count;
      expect(perSend).toBeGreaterThan(0);
      queries.reset();

      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          ack(socket, 'message:send', { roomId: room.id, clientMsgId: `q${i + 1}`, text: `m${i}` }),
        ),
      );
      expect(results.filter((r) => r.message)).toHaveLength(LIMIT - 1);
      const limited = results.filter((r) => r.error);
      expect(limited).toHaveLength(40 - (LIMIT - 1));
      for (const r of limited) {
        expect(r.error.code).toBe('rate_limited');
        expect(r.error.details.retryAfter).toBeGreaterThanOrEqual(1);
      }
      // LIMIT - 1 sends, then one refusal (fewer queries than a send); the other 35 refusals cost nothing.
      expect(queries.count).toBeLessThanOrEqual(LIMIT * perSend);
      expect(await a.server.db('messages').where({ room_id: room.id })).toHaveLength(LIMIT);
    } finally {
      queries.stop();
    }
  });
});
