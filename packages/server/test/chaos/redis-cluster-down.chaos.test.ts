/**
 * Chaos: the whole Redis Cluster down (every node SIGKILLed) for 10 s under live traffic, then started again
 * (empty: Redis keeps nothing SyncTalk must keep). While it is down a send is refused as `unavailable`
 * (never acknowledged, never stored) — the rate limit has no store to count in and the fan-out no bus; the
 * servers are not restarted, and once the cluster is back the service recovers by itself. Nothing
 * acknowledged may be lost or doubled, and every member connection ends with every message of its rooms
 * exactly once, in order (the SDKs send again what was refused).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectChat } from '../helpers/cluster.js';
import { client } from '../helpers/http.js';
import { startPrivateRedisCluster, type PrivateRedisCluster } from '../helpers/private-redis-cluster.js';
import { expectConsistent, summary } from './checks.js';
import { describeChaos, startChaos, type Chaos } from './harness.js';
import { codeOf, rawSend, sendUntilStored, type Outcome } from './raw-sends.js';
import { redisAdmin, waitFor, type RedisAdmin } from './redis-faults.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const DOWN_MS = 10_000;

describeChaos('chaos: the whole Redis Cluster down for 10 s', () => {
  let rc: PrivateRedisCluster;
  let admin: RedisAdmin;
  let h: Chaos;
  beforeAll(async () => {
    rc = await startPrivateRedisCluster();
    admin = redisAdmin(rc);
    h = await startChaos({ label: 'chaos_redis_down', redis: rc });
  }, 180_000);
  afterAll(async () => {
    await h?.close();
    admin?.close();
    await rc?.stop();
  }, 60_000);

  it('refuses sends as unavailable while it is down, recovers without a restart, loses nothing', async () => {
    const ports = rc.nodes.map((n) => n.port);
    const member = h.clients[0]!;
    const roomId = member.rooms[0]!;
    const probe = await connectChat(h.nodes[1]!.url, { token: member.user.token });
    const traffic = h.startTraffic();
    await sleep(2000);

    for (const port of ports) process.kill(rc.pidOf(port), 'SIGKILL');
    const down = performance.now();
    const during: { clientMsgId: string; outcome: Outcome }[] = [];
    let n = 0;
    while (performance.now() - down < DOWN_MS) {
      n += 1;
      const clientMsgId = `probe-${n}`;
      during.push({ clientMsgId, outcome: await rawSend(probe, roomId, clientMsgId) });
      await sleep(300);
    }
    const read = await client(h.nodes[0]!.url).get(`/v1/rooms/${roomId}/messages?limit=5`, {
      headers: member.user.headers,
    });
    for (const port of ports) await rc.restart(port);
    const upAt = performance.now();
    const healthyMs = await waitFor('the cluster ok again', () => admin.healthy(ports));

    // The first probe, sent again until stored: how long after the restart sends are accepted again.
    await sendUntilStored(h, member.index, probe, roomId, during[0]!.clientMsgId);
    const storedMs = Math.round(performance.now() - upAt);
    for (const d of during.slice(1)) await sendUntilStored(h, member.index, probe, roomId, d.clientMsgId);
    await sleep(3000);
    await traffic.stop();
    const settleStarted = performance.now();
    await h.settle();
    const settledMs = Math.round(performance.now() - settleStarted);
    probe.close();

    const codes = during.map((d) => codeOf(d.outcome));
    console.log(
      `redis cluster down ${DOWN_MS} ms: probe sends meanwhile ${[...new Set(codes)].join('/')} ` +
        `(${codes.length}), a history read ${read.status}; ` +
        `cluster ok ${healthyMs} ms after the restart, a send stored ${storedMs} ms after; ` +
        `caught up ${settledMs} ms after the traffic stopped; ${summary(h)}`,
    );
    expect(codes.filter((c) => c !== 'unavailable')).toEqual([]);
    // Reading needs only PostgreSQL: the history stays readable.
    expect(read.status).toBe(200);
    await expectConsistent(h);
  }, 240_000);
});
