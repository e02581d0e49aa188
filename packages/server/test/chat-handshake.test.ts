import jwt from 'jsonwebtoken';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { ALGORITHM, ISSUER } from '../src/auth/tokens.js';
import { ack, closeChatClients, connectChat, refusedChat } from './helpers/cluster.js';
import { newRoom, newSite, newUser, type TestUser } from './helpers/factories.js';
import { TEST_JWT_SECRET } from './helpers/server.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres', 'redisCluster'], 'chat: the /chat handshake (token, site, origin)', () => {
  const [n] = useServer({ label: 'chat_handshake', nodes: 1 }).nodes;
  let alice: TestUser;

  beforeAll(async () => {
    alice = await newUser(n);
  });
  afterEach(() => closeChatClients());

  it('accepts a valid token in auth.token and identifies the user', async () => {
    const socket = await connectChat(n.url, { token: alice.token });
    const room = await newRoom(n, alice);
    const joined = await ack(socket, 'room:join', { roomId: room.id });
    expect(joined.membership.role).toBe('owner');
    expect(joined.presence).toEqual({
      roomId: room.id,
      online: [alice.user.id],
      count: 1,
      version: expect.stringMatching(/^[1-9]\d*$/),
    });
  });

  it('refuses a token in the query string, even next to a valid one', async () => {
    for (const param of ['token', 'access_token', 'jwt']) {
      const alone = await refusedChat(n.url, { query: { [param]: alice.token } });
      expect(alone.data?.error.code).toBe('unauthorized');
      expect(alone.message).toMatch(/query string/);
      const both = await refusedChat(n.url, { token: alice.token, query: { [param]: alice.token } });
      expect(both.data?.error.code).toBe('unauthorized');
    }
  });

  it('refuses missing, malformed, forged and expired tokens', async () => {
    const missing = await refusedChat(n.url, {});
    expect(missing.data).toEqual({ error: { code: 'unauthorized', message: expect.stringMatching(/auth/) } });
    expect((await refusedChat(n.url, { token: 'nope' })).data?.error.code).toBe('unauthorized');
    expect((await refusedChat(n.url, { auth: { token: 42 } })).data?.error.code).toBe('unauthorized');

    const claims = { site: alice.user.siteId, roles: ['ROLE_USER'], kind: 'password', typ: 'access' };
    const forged = jwt.sign(claims, 'another-secret-that-is-long-enough-0123456789', {
      algorithm: ALGORITHM,
      subject: alice.user.id,
      issuer: ISSUER,
      expiresIn: 600,
    });
    expect((await refusedChat(n.url, { token: forged })).data?.error.code).toBe('unauthorized');
    const refresh = jwt.sign({ ...claims, typ: 'refresh' }, TEST_JWT_SECRET, {
      algorithm: ALGORITHM,
      subject: alice.user.id,
      issuer: ISSUER,
      expiresIn: 600,
    });
    expect((await refusedChat(n.url, { token: refresh })).data?.error.code).toBe('unauthorized');
    const expired = jwt.sign(claims, TEST_JWT_SECRET, {
      algorithm: ALGORITHM,
      subject: alice.user.id,
      issuer: ISSUER,
      expiresIn: -10,
    });
    expect((await refusedChat(n.url, { token: expired })).data?.error.code).toBe('token_expired');
  });

  it('binds the connection to a site: another site’s token is refused, the right site accepted', async () => {
    const { site } = await newSite(n, { origins: ['https://shop.example'] });
    const shopper = await newUser(n, { site });
    const onDefault = await refusedChat(n.url, { token: shopper.token });
    expect(onDefault.data?.error).toMatchObject({
      code: 'unauthorized',
      message: expect.stringMatching(/another site/),
    });
    const aliceOnShop = await refusedChat(n.url, { token: alice.token, site: site.publicId });
    expect(aliceOnShop.data?.error.code).toBe('unauthorized');
    expect(
      (await refusedChat(n.url, { token: shopper.token, site: 'st_doesnotexist' })).data?.error.code,
    ).toBe('not_found');
    expect((await refusedChat(n.url, { token: shopper.token, site: '../etc' })).data?.error.code).toBe(
      'not_found',
    );
    const ok = await connectChat(n.url, { token: shopper.token, site: site.publicId });
    expect(ok.connected).toBe(true);
    // A room of the default site does not exist for the shop's user.
    const room = await newRoom(n, alice);
    expect((await ack(ok, 'room:join', { roomId: room.id })).error.code).toBe('not_found');
  });

  it('checks browser origins: unknown origins never open a transport, other sites’ origins are refused', async () => {
    const { site } = await newSite(n, { origins: ['https://shop.example'] });
    const shopper = await newUser(n, { site });
    // No Origin (Node, native apps): allowed.
    expect((await connectChat(n.url, { token: alice.token })).connected).toBe(true);
    // The default site allows CORS_ORIGINS (http://localhost:3000 by default).
    const local = await connectChat(n.url, {
      token: alice.token,
      headers: { origin: 'http://localhost:3000' },
    });
    expect(local.connected).toBe(true);
    const fromShop = await connectChat(n.url, {
      token: shopper.token,
      site: site.publicId,
      headers: { origin: 'https://shop.example' },
    });
    expect(fromShop.connected).toBe(true);

    // Allowed by some site, but not by this connection's site: refused by the namespace.
    const crossed = await refusedChat(n.url, {
      token: alice.token,
      headers: { origin: 'https://shop.example' },
    });
    expect(crossed.data?.error.code).toBe('origin_not_allowed');
    // Allowed by no site: refused before any transport opens (websocket and polling).
    for (const transports of [['websocket'], ['polling']] as const) {
      const evil = await refusedChat(n.url, {
        token: alice.token,
        headers: { origin: 'https://evil.example' },
        transports: [...transports],
      });
      // Engine.IO refuses the request itself (403), so the client only sees a transport error.
      expect(evil.data).toBeUndefined();
      expect(evil.message).toBe(transports[0] === 'websocket' ? 'websocket error' : 'xhr poll error');
    }
    const poll = (origin: string) =>
      fetch(`${n.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
    const good = await poll('https://shop.example');
    expect(good.status).toBe(200);
    expect(good.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    const bad = await poll('https://evil.example');
    expect(bad.status).toBe(403);
    expect(await bad.json()).toMatchObject({ message: 'Origin not allowed' });
    expect(bad.headers.get('access-control-allow-origin')).toBeNull();
  });
});
