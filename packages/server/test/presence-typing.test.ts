import { afterEach, expect, it } from 'vitest';
import { TYPING_CLIENT_EXPIRY_MS, TYPING_TTL_MS } from '../src/presence/typing.js';
import { ack, closeChatClients, connectChat, nextEvent, record } from './helpers/cluster.js';
import { roomOfTwo } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres', 'redisCluster'], 'presence: typing indicators across nodes', () => {
  const [a, b] = useServer({
    label: 'presence_typing',
    nodes: 2,
  }).nodes;

  afterEach(() => closeChatClients());

  async function pair() {
    const { alice, bob, room } = await roomOfTwo(a);
    const aliceOnA = await connectChat(a.url, { token: alice.token });
    const bobOnB = await connectChat(b.url, { token: bob.token });
    await ack(aliceOnA, 'room:join', { roomId: room.id });
    await ack(bobOnB, 'room:join', { roomId: room.id });
    return { alice, bob, room, aliceOnA, bobOnB };
  }

  it('ends typing by itself when it is not renewed', async () => {
    const { alice, room, aliceOnA, bobOnB } = await pair();
    const started = nextEvent(bobOnB, 'typing', (e) => e.typing);
    expect(await ack(aliceOnA, 'typing:start', { roomId: room.id })).toEqual({ ok: true });
    expect(await started).toEqual({
      roomId: room.id,
      userId: alice.user.id,
      typing: true,
      expiresInMs: TYPING_CLIENT_EXPIRY_MS,
    });
    const t0 = Date.now();
    const ended = await nextEvent(bobOnB, 'typing', (e) => !e.typing, TYPING_TTL_MS + 3000);
    expect(ended).toMatchObject({ roomId: room.id, userId: alice.user.id, typing: false });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(TYPING_TTL_MS - 500);
  }, 15_000);

  it('keeps typing alive while renewed, without a broadcast per renewal, and ends it on disconnect', async () => {
    const { alice, room, aliceOnA, bobOnB } = await pair();
    const events = record(bobOnB, 'typing');
    for (let i = 0; i < 5; i += 1) {
      await ack(aliceOnA, 'typing:start', { roomId: room.id });
      await new Promise((r) => setTimeout(r, 100));
    }
    // Five renewals in about half a second: announced once.
    expect(events.filter((e) => e.typing)).toHaveLength(1);
    const ended = nextEvent(bobOnB, 'typing', (e) => !e.typing);
    aliceOnA.close();
    expect(await ended).toMatchObject({ userId: alice.user.id, typing: false });
  });

  it('needs the room to be joined on this connection', async () => {
    const { alice, room } = await pair();
    const fresh = await connectChat(b.url, { token: alice.token });
    expect((await ack(fresh, 'typing:start', { roomId: room.id })).error.code).toBe('forbidden');
  });
});
