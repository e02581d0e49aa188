import { afterEach, beforeAll, expect, it } from 'vitest';
import { signAccessToken } from '../src/auth/tokens.js';
import { ack, closeChatClients, connectChat, nextEvent } from './helpers/cluster.js';
import { newRoom, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres', 'redisCluster'], 'chat: a connection lives no longer than its token', () => {
  const [n] = useServer({
    label: 'chat_token_expiry',
    nodes: 1,
  }).nodes;
  let alice: TestUser;
  let bob: TestUser;

  /** An access token of `u` that expires in `seconds`. */
  const shortToken = (u: TestUser, seconds: number) =>
    signAccessToken(
      { ...n.server.config, auth: { ...n.server.config.auth, accessTtlSeconds: seconds } },
      u.user,
    ).token;

  beforeAll(async () => {
    alice = await newUser(n);
    bob = await newUser(n);
  });
  afterEach(() => closeChatClients());

  it('warns before expiry, then disconnects cleanly with token_expired', async () => {
    const socket = await connectChat(n.url, { token: shortToken(alice, 3) });
    const started = Date.now();
    const expiring = nextEvent(socket, 'auth:expiring', () => true, 5000);
    const expired = nextEvent(socket, 'auth:expired', () => true, 6000);
    const disconnected = new Promise<string>((resolve) =>
      socket.once('disconnect', (reason) => resolve(reason)),
    );

    const warning = await expiring;
    expect(Date.now() - started).toBeLessThan(2500);
    expect(warning.expiresInMs).toBeGreaterThan(0);
    expect(new Date(warning.expiresAt).getTime()).toBeGreaterThan(Date.now());
    // Still usable until the end.
    expect((await ack(socket, 'typing:stop', { roomId: '1' })).ok).toBe(true);

    expect(await expired).toEqual({ error: { code: 'token_expired', message: expect.any(String) } });
    expect(await disconnected).toBe('io server disconnect');
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    expect(socket.connected).toBe(false);
  });

  it('extends the connection with auth:refresh (same user and site only)', async () => {
    const socket = await connectChat(n.url, { token: shortToken(alice, 3) });
    const room = await newRoom(n, alice);
    await ack(socket, 'room:join', { roomId: room.id });
    await nextEvent(socket, 'auth:expiring', () => true, 5000);

    const otherUser = await ack(socket, 'auth:refresh', { token: bob.token });
    expect(otherUser.error.code).toBe('forbidden');
    const garbage = await ack(socket, 'auth:refresh', { token: 'garbage' });
    expect(garbage.error.code).toBe('unauthorized');

    const refreshed = await ack(socket, 'auth:refresh', { token: shortToken(alice, 60) });
    expect(new Date(refreshed.expiresAt).getTime()).toBeGreaterThan(Date.now() + 50_000);
    const dropped = new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));
    const outcome = await Promise.race([
      dropped,
      new Promise((r) => setTimeout(() => r('still connected'), 3500)),
    ]);
    expect(outcome).toBe('still connected');
    // Still subscribed and working past the first token's expiry.
    const sent = await ack(socket, 'message:send', {
      roomId: room.id,
      clientMsgId: 'after-refresh',
      text: 'ok',
    });
    expect(sent.message.seq).toBe('1');
  });
});
