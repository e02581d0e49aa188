/**
 * Chaos: the two server nodes' clocks 4 s apart (node A 2 s ahead, node B 2 s behind; the server has no
 * clock of its own to shift, so each child process is started with clock-skew.mjs preloaded, which moves
 * its `Date`), under live traffic with short-lived access tokens (refreshed by the SDKs as they go) and a
 * short presence TTL. Token expiry stays correct within the skew: a token is accepted by both nodes until
 * its expiry minus the skew and refused by both after its expiry plus the skew. Presence does not flap:
 * its expiry runs on the Redis server's clock, so a member stays online in every state every member
 * connection reports. And the three end checks hold.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ack, connectChat } from '../helpers/cluster.js';
import { client } from '../helpers/http.js';
import { expectConsistent, summary } from './checks.js';
import { describeChaos, startChaos, type Chaos } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SKEW_MS = 2000;
const ACCESS_TTL_S = 12;
const PRESENCE_TTL_MS = 3000;
const PRELOAD = fileURLToPath(new URL('./clock-skew.mjs', import.meta.url));

/** The `iat` and `exp` of a JWT, in ms. */
function claims(token: string): { iat: number; exp: number } {
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
    iat: number;
    exp: number;
  };
  return { iat: payload.iat * 1000, exp: payload.exp * 1000 };
}

describeChaos('chaos: node clocks ±2 s apart', () => {
  let h: Chaos;
  beforeAll(async () => {
    h = await startChaos({
      label: 'chaos_clock_skew',
      env: { JWT_ACCESS_TTL: String(ACCESS_TTL_S), PRESENCE_TTL: `${PRESENCE_TTL_MS}ms` },
      node: (i) => ({
        nodeArgs: ['--import', PRELOAD],
        env: { SYNCTALK_TEST_CLOCK_SKEW_MS: String(i === 0 ? SKEW_MS : -SKEW_MS) },
      }),
    });
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  }, 60_000);

  it('keeps token expiry within the skew, presence steady, and loses and doubles nothing', async () => {
    const [a, b] = h.nodes as [(typeof h.nodes)[0], (typeof h.nodes)[0]];
    const startedAt = Date.now();
    const traffic = h.startTraffic();

    // A token issued by node A (2 s ahead): its iat shows A's clock.
    const user = h.clients[1]!.user;
    const issuedAround = Date.now();
    const login = await client(a.url).post('/v1/auth/login', {
      body: { username: user.user.username, password: user.password },
    });
    expect(login.status).toBe(200);
    const token = login.body.accessToken as string;
    const { iat, exp } = claims(token);
    // Whole seconds: A's clock reads 1..3 s ahead of this process's.
    expect(iat - issuedAround).toBeGreaterThan(SKEW_MS - 1000 - 1000);
    expect(iat - issuedAround).toBeLessThan(SKEW_MS + 1000);
    const me = async (url: string) =>
      (await client(url).get('/v1/me', { headers: { authorization: `Bearer ${token}` } })).status;

    // Until its expiry minus the skew (by this process's clock), both nodes accept it ...
    await sleep(Math.max(0, exp - SKEW_MS - 1000 - Date.now()));
    const early = [await me(a.url), await me(b.url)];
    // ... and after its expiry plus the skew, both refuse it.
    await sleep(Math.max(0, exp + SKEW_MS + 1000 - Date.now()));
    const late = [await me(a.url), await me(b.url)];

    await sleep(2000);
    await traffic.stop();
    await h.settle();
    console.log(
      `clock skew ±${SKEW_MS} ms: token (ttl ${ACCESS_TTL_S} s) at exp-${SKEW_MS + 1000} ms: ${early}, ` +
        `at exp+${SKEW_MS + 1000} ms: ${late}; ran ${Date.now() - startedAt} ms with access tokens of ` +
        `${ACCESS_TTL_S} s; ${summary(h)}`,
    );
    expect(early).toEqual([200, 200]);
    expect(late).toEqual([401, 401]);

    // Presence: once every member had joined, every state any member connection reported lists every
    // member of the room (all stay connected: no expiry from a node's wrong clock).
    const membersOf = new Map<string, Set<string>>();
    for (const c of h.clients) {
      for (const roomId of c.rooms)
        membersOf.set(roomId, (membersOf.get(roomId) ?? new Set()).add(c.user.user.id));
    }
    const flaps: string[] = [];
    for (const c of h.clients) {
      expect(c.statuses, `client ${c.index} stayed connected`).not.toContain('reconnecting');
      for (const p of c.presence.filter((s) => s.at >= startedAt)) {
        const missing = [...membersOf.get(p.roomId)!].filter((id) => !p.online.includes(id));
        if (missing.length > 0)
          flaps.push(`client ${c.index} room ${p.roomId}: ${missing.join(',')} offline`);
      }
    }
    expect(flaps).toEqual([]);
    // Many TTLs later, a join on either node sees every member online.
    for (const node of h.nodes) {
      for (const [roomId, members] of membersOf) {
        const member = h.clients.find((c) => c.rooms.includes(roomId))!;
        // The SDK's current token: the one the test started with expired long ago and was refreshed.
        const token = (await member.sdk.auth.tokens())!.accessToken;
        expect(token).not.toBe(member.user.token);
        const socket = await connectChat(node.url, { token });
        const joined = await ack(socket, 'room:join', { roomId });
        socket.close();
        expect(joined.error).toBeUndefined();
        expect(
          [...members].filter((id) => !joined.presence.online.includes(id)),
          `room ${roomId} joined on ${node.url}: members offline`,
        ).toEqual([]);
      }
    }
    await expectConsistent(h);
  }, 240_000);
});
