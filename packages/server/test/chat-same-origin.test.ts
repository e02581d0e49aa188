/**
 * Sockets from the server's own origin (a page it served, like the demo page) pass both origin checks —
 * Engine.IO's gate before any transport opens and the /chat handshake's per-site check — for every site and
 * on every transport; any other origin is treated as before.
 */
import { afterEach, beforeAll, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { closeChatClients, connectChat, refusedChat, type ClusterNode } from './helpers/cluster.js';
import { newSite, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres', 'redisCluster'], 'chat: the server’s own origin may connect for every site', () => {
  const { cluster: c, nodes } = useServer({
    label: 'chat_same_origin',
    nodes: 1,
    env: { CORS_ORIGINS: 'https://home.example' },
  });
  const [n] = nodes;
  let proxied: ClusterNode;
  let published: ClusterNode;
  let listed: ClusterNode;
  let unlisted: ClusterNode;
  let shop: Site;
  let alice: TestUser;
  let shopper: TestUser;

  beforeAll(async () => {
    proxied = await c.startNode({ env: { TRUST_PROXY: 'true' } });
    published = await c.startNode({ env: { PUBLIC_URL: 'https://chat.public.example' } });
    // The tests connect from 127.0.0.1: a listed proxy for one node, an unknown peer for the other.
    listed = await c.startNode({ env: { TRUST_PROXY: '127.0.0.0/8' } });
    unlisted = await c.startNode({ env: { TRUST_PROXY: '10.0.0.0/8' } });
    shop = (await newSite(n, { origins: ['https://shop.example'] })).site;
    alice = await newUser(n);
    shopper = await newUser(n, { site: shop });
  });
  afterEach(() => closeChatClients());

  it('connects from its own origin on the default site and on another site, over websocket and polling', async () => {
    for (const transports of [['websocket'], ['polling']] as ('websocket' | 'polling')[][]) {
      const home = await connectChat(n.url, { token: alice.token, headers: { origin: n.url }, transports });
      expect(home.connected).toBe(true);
      const onShop = await connectChat(n.url, {
        token: shopper.token,
        site: shop.publicId,
        headers: { origin: n.url },
        transports,
      });
      expect(onShop.connected).toBe(true);
    }
    const poll = await fetch(`${n.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: n.url } });
    expect(poll.status).toBe(200);
    expect(poll.headers.get('access-control-allow-origin')).toBe(n.url);
  });

  it('refuses other origins as before', async () => {
    const { port } = new URL(n.url);
    for (const origin of [`http://127.0.0.1:${Number(port) + 1}`, `http://localhost:${port}`, proxied.url]) {
      const refused = await refusedChat(n.url, { token: alice.token, headers: { origin } });
      // Allowed by no site: refused before any transport opens.
      expect(refused.message, origin).toBe('websocket error');
      const poll = await fetch(`${n.url}/socket.io/?EIO=4&transport=polling`, { headers: { origin } });
      expect(poll.status, origin).toBe(403);
    }
    // Allowed by the shop but not by the default site: refused by the handshake, as before.
    const crossed = await refusedChat(n.url, {
      token: alice.token,
      headers: { origin: 'https://shop.example' },
    });
    expect(crossed.data?.error.code).toBe('origin_not_allowed');
  });

  it('uses X-Forwarded-Proto and X-Forwarded-Host only with TRUST_PROXY', async () => {
    const headers = {
      origin: 'https://chat.example.com',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'chat.example.com',
    };
    for (const transports of [['websocket'], ['polling']] as ('websocket' | 'polling')[][]) {
      const socket = await connectChat(proxied.url, {
        token: shopper.token,
        site: shop.publicId,
        headers,
        transports,
      });
      expect(socket.connected).toBe(true);
    }
    const untrusted = await refusedChat(n.url, { token: shopper.token, site: shop.publicId, headers });
    expect(untrusted.message).toBe('websocket error');
  });

  it('with TRUST_PROXY as a list, believes them only when the peer is in the list', async () => {
    const headers = {
      origin: 'https://chat.example.com',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'chat.example.com',
    };
    for (const transports of [['websocket'], ['polling']] as ('websocket' | 'polling')[][]) {
      const socket = await connectChat(listed.url, {
        token: shopper.token,
        site: shop.publicId,
        headers,
        transports,
      });
      expect(socket.connected).toBe(true);
    }
    const untrusted = await refusedChat(unlisted.url, { token: shopper.token, site: shop.publicId, headers });
    expect(untrusted.message).toBe('websocket error');
  });

  it("accepts PUBLIC_URL's origin", async () => {
    const socket = await connectChat(published.url, {
      token: shopper.token,
      site: shop.publicId,
      headers: { origin: 'https://chat.public.example' },
    });
    expect(socket.connected).toBe(true);
  });
});
