/**
 * Chaos: a Redis master SIGKILLed under live traffic, its replica promoted; then the old master started
 * again (it comes back empty, as a replica of its replacement) and promoted back with CLUSTER FAILOVER.
 * Nothing acknowledged may be lost or doubled, and every member connection ends with every message of its
 * rooms exactly once, in order.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPrivateRedisCluster, type PrivateRedisCluster } from '../helpers/private-redis-cluster.js';
import { expectConsistent, summary } from './checks.js';
import { describeChaos, startChaos, type Chaos } from './harness.js';
import { redisAdmin, waitFor, type RedisAdmin } from './redis-faults.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeChaos('chaos: a Redis master killed, then promoted back', () => {
  let rc: PrivateRedisCluster;
  let admin: RedisAdmin;
  let h: Chaos;
  beforeAll(async () => {
    rc = await startPrivateRedisCluster();
    admin = redisAdmin(rc);
    h = await startChaos({ label: 'chaos_redis_master_kill', redis: rc });
  }, 180_000);
  afterAll(async () => {
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
    process.kill(rc.pidOf(victim.port), 'SIGKILL');
    const promotedMs = await waitFor('a replica promoted', () => admin.healthy(survivors, victim.port));
    await sleep(2000);

    // The old master comes back (empty: no persistence), joins as a replica, syncs, and takes over again.
    await rc.restart(victim.port);
    const syncedMs = await waitFor('the old master synced as a replica', () =>
      admin.syncedReplica(victim.port),
    ).catch(async (error: Error) => {
      throw new Error(`${error.message}\n${await admin.describe(victim.port)}`);
    });
    await admin.node(victim.port).cluster('FAILOVER');
    const backMs = await waitFor(
      'the old master promoted back',
      async () =>
        (await admin.healthy(ports)) && (await admin.masters(ports[0]!)).some((m) => m.port === victim.port),
    );
    await sleep(2000);

    await traffic.stop();
    await h.settle();
    console.log(
      `redis master kill: promoted ${promotedMs} ms after the kill; old master synced ${syncedMs} ms after ` +
        `its restart, master again ${backMs} ms after CLUSTER FAILOVER; ${summary(h)}`,
    );
    await expectConsistent(h);
    // The traffic really went on through both changes of master.
    expect(traffic.sent).toBeGreaterThan(h.clients.length * 10);
  }, 240_000);
});
