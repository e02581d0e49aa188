import { expect, it } from 'vitest';
import { ack, connectChat, nextEvent, refusedChat } from './helpers/cluster.js';
import { joinRoom, newRoom, newUser } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { countQueries } from './helpers/query-count.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const EVENTS = 5000;
/** SOCKET_FLOOD_DISCONNECT's default. */
const FLOOD_DISCONNECT = 200;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ack = any;

describeWith(['postgres', 'redisCluster'], 'chat: one flooding connection cannot stall the server', () => {
  // The default budget (SOCKET_EVENT_RATE=20, SOCKET_EVENT_BURST=100, SOCKET_QUEUE_MAX=100).
  const [a] = useServer({ label: 'chat_flood', nodes: 1 }).nodes;

  it(`cuts off a connection flooding ${EVENTS} events while others are served`, async () => {
    const mallory = await newUser(a);
    const target = await newRoom(a, mallory);
    const bob = await newUser(a);
    const carol = await newUser(a);
    const room = await newRoom(a, bob);
    await joinRoom(a, carol, room);
    const bobSocket = await connectChat(a.url, { token: bob.token });
    const carolSocket = await connectChat(a.url, { token: carol.token });
    expect((await ack(carolSocket, 'room:join', { roomId: room.id })).error).toBeUndefined();
    const flooder = await connectChat(a.url, { token: mallory.token });
    const flooderId = flooder.id!;
    // The server's end of the flooder's TCP connection: how much of the flood it read.
    const serverEnd = a.server.io.of('/chat').sockets.get(flooderId)!.request.socket;
    let floodBytes = 0;
    // Every TCP write the server makes to the flooder (each `_write` or `_writev` is one system call).
    let writes = 0;
    const tcp = serverEnd as unknown as Record<'_write' | '_writev', (...args: unknown[]) => unknown>;
    for (const method of ['_write', '_writev'] as const) {
      const original = tcp[method]!.bind(serverEnd);
      tcp[method] = (...args: unknown[]) => {
        writes += 1;
        return original(...args);
      };
    }
    const cutOff = nextEvent(flooder as never, 'disconnect' as never, () => true, 30_000) as Promise<unknown>;

    const queries = countQueries(a.server.db);
    const answers = new Map<string, number>();
    const raw = flooder as unknown as { emit(e: string, p: unknown, ack: (r: Ack) => void): void };
    let firstAnswer!: () => void;
    const answered = new Promise<void>((resolve) => (firstAnswer = resolve));
    const send = (i: number) => {
      const [event, payload] =
        i % 3 === 0
          ? ['room:join', { roomId: target.id }]
          : i % 3 === 1
            ? ['message:send', { roomId: target.id, clientMsgId: `m${i}`, text: `flood ${i}` }]
            : ['typing:start', { roomId: target.id }];
      floodBytes += JSON.stringify([event, payload]).length;
      raw.emit(event, payload, (r: Ack) => {
        const key = r?.error ? r.error.code : 'ok';
        answers.set(key, (answers.get(key) ?? 0) + 1);
        firstAnswer();
      });
    };
    // A first wave the budget admits (the server is working through it when the rest arrives), then the
    // rest of the flood.
    for (let i = 0; i < 100; i += 1) send(i * 3);
    await answered;
    for (let i = 100; i < EVENTS; i += 1) send(i);

    // Meanwhile another user's socket sends and receives, and REST answers.
    const texts = Array.from({ length: 10 }, (_, i) => `while flooded ${i}`);
    const received = Promise.all(
      texts.map((text) => nextEvent(carolSocket, 'message:new', (m) => m.text === text, 20_000)),
    );
    const http = client(a.url);
    const [sends, rest] = await Promise.all([
      (async () => {
        const out: Ack[] = [];
        for (const [i, text] of texts.entries()) {
          out.push(await ack(bobSocket, 'message:send', { roomId: room.id, clientMsgId: `b${i}`, text }));
        }
        return out;
      })(),
      Promise.all(Array.from({ length: 10 }, () => http.get('/v1/me', { headers: bob.headers }))),
    ]);
    for (const s of sends) expect(s.message?.roomId).toBe(room.id);
    for (const r of rest) expect(r.status).toBe(200);
    expect((await received).map((m) => m.text)).toEqual(texts);

    // The flooder was refused, then disconnected by the server; most of its events were never handled.
    expect(await cutOff).toBe('io server disconnect');
    // Once cut off, the connection is no longer read: the rest of the flood is never parsed.
    const readAtCutOff = serverEnd.bytesRead;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(serverEnd.bytesRead).toBe(readAtCutOff);
    // On the wire the flood is larger than its JSON (frame headers, packet types, ack ids): read it all,
    // the server would be past this.
    expect(readAtCutOff).toBeLessThan(floodBytes);
    const refused = answers.get('rate_limited') ?? 0;
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThanOrEqual(FLOOD_DISCONNECT);
    // The refusals left in a handful of TCP writes, not one each, though the flood is read one event a turn.
    expect(writes).toBeLessThan(refused / 2);
    expect(answers.get('ok')).toBeGreaterThan(0);
    const total = [...answers.values()].reduce((s, n) => s + n, 0);
    expect(total).toBeLessThan(EVENTS / 10);
    expect(queries.count).toBeLessThan(EVENTS / 4);
    queries.stop();
    const stored = await a.server.db('messages').where({ room_id: target.id });
    expect(stored.length).toBeLessThan(EVENTS / 10);

    // Events still queued at the disconnect were dropped, not run for a closed connection.
    expect(a.server.chat.presence.has(target.id, flooderId)).toBe(false);

    // The server is up and serves everyone; the flooder may not come straight back with a fresh budget,
    // only once it waited as told.
    expect((await http.get('/healthz')).status).toBe(200);
    const refusal = await refusedChat(a.url, { token: mallory.token });
    expect(refusal.data?.error.code).toBe('rate_limited');
    const retryAfter = (refusal.data?.error.details as { retryAfter: number }).retryAfter;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(5);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
    const again = await connectChat(a.url, { token: mallory.token });
    expect((await ack(again, 'room:join', { roomId: target.id })).room.id).toBe(target.id);
    expect(
      (await ack(bobSocket, 'message:send', { roomId: room.id, clientMsgId: 'after', text: 'after' }))
        .message,
    ).toBeDefined();
  });
});
