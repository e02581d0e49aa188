/**
 * Chaos: a Redis master paused (SIGSTOP) for longer than `cluster-node-timeout` under live traffic: its
 * replica is promoted while it is frozen; then it is resumed (SIGCONT), finds itself replaced and becomes a
 * replica. Nothing acknowledged may be lost or doubled, and every member connection ends with every message
 * of its rooms exactly once, in order.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPrivateRedisCluster, type PrivateRedisCluster } from '../helpers/private-redis-cluster.js';
import { expectConsistent, summary } from './checks.js';
import { describeChaos, startChaos, type Chaos } from './harness.js';
import { redisAdmin, waitFor, type RedisAdmin } from './redis-faults.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Longer than the private cluster's cluster-node-timeout (2 s): the paused master is failed over. */
const PAUSE_MS = 6000;

describeChaos('chaos: a Redis master paused past cluster-node-timeout, then resumed', () => {
  let rc: PrivateRedisCluster;
  let admin: RedisAdmin;
  let h: Chaos;
  let paused: number | undefined;
  beforeAll(async () => {
    rc = await startPrivateRedisCluster();
    admin = redisAdmin(rc);
    h = await startChaos({ label: 'chaos_redis_node_pause', redis: rc });
  }, 180_000);
  afterAll(async () => {
    if (paused !== undefined) process.kill(paused, 'SIGCONT');
    await h?.close();
    admin?.close();
    await rc?.stop();
  }, 60_000);

  it('loses and doubles nothing, and every member delivers its rooms in order', async () => {
    const ports = rc.nodes.map((n) => n.port);
    const traffic = h.startTraffic();
    await sleep(2000);

    const victim = (await admin.masters(ports[0]!))[0]!;
    const survivors = ports.filter((p) => p !== victim.port);
    paused = rc.pidOf(victim.port);
    process.kill(paused, 'SIGSTOP');
    const promotedMs = await waitFor('a replica promoted', () => admin.healthy(survivors, victim.port));
    await sleep(Math.max(0, PAUSE_MS - promotedMs));
    process.kill(paused, 'SIGCONT');
    paused = undefined;
    const rejoinedMs = await waitFor('the resumed master rejoined as a replica', () =>
      admin.syncedReplica(victim.port),
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await admin.describe(victim.port)}`);
    });
    await waitFor('the cluster healthy again', () => admin.healthy(ports));
    await sleep(2000);

    await traffic.stop();
    await h.settle();
    console.log(
      `redis node pause: replica promoted ${promotedMs} ms after SIGSTOP; paused ${PAUSE_MS} ms; ` +
        `a synced replica ${rejoinedMs} ms after SIGCONT; ${summary(h)}`,
    );
    await expectConsistent(h);
    expect(traffic.sent).toBeGreaterThan(h.clients.length * 10);
  }, 240_000);
});
