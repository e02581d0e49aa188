/**
 * Chaos: a server node SIGKILLed while its clients are sending (their SDKs move to the other node and send
 * again what was not acknowledged), started again; then a rolling restart of every node (SIGTERM, start on
 * the same port, next). Nothing acknowledged may be lost or doubled, and every member connection ends with
 * every message of its rooms exactly once, in order.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectConsistent, summary } from './checks.js';
import { describeChaos, startChaos, type Chaos } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeChaos('chaos: a server node killed, then a rolling restart', () => {
  let h: Chaos;
  beforeAll(async () => {
    h = await startChaos({ label: 'chaos_server_node_kill' });
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  }, 60_000);

  it('loses and doubles nothing, and every member delivers its rooms in order', async () => {
    const traffic = h.startTraffic();
    await sleep(2000);

    // A crash: no clean-up, every connection cut by the kernel, sends on their way unanswered.
    const killed = h.nodes[0]!;
    const onKilled = h.clients.filter((c) => c.sdk.baseUrl === killed.url);
    expect(onKilled.length).toBeGreaterThan(0);
    await h.cluster.stopNode(killed, { kill: true });
    await sleep(3000);
    await h.restart(0);
    await sleep(2000);

    // Rolling restart: each node stops gracefully and starts again on its port while the other serves.
    const restarts: number[] = [];
    for (let i = 0; i < h.nodes.length; i += 1) {
      const started = performance.now();
      await h.cluster.stopNode(h.nodes[i]!);
      await h.restart(i);
      restarts.push(Math.round(performance.now() - started));
      await sleep(2000);
    }

    await traffic.stop();
    await h.settle();
    console.log(`server node kill + rolling restart (node down ${restarts.join(', ')} ms): ${summary(h)}`);
    await expectConsistent(h);
    // The clients of the killed node really went through a reconnect.
    for (const c of onKilled) expect(c.statuses, `client ${c.index}`).toContain('reconnecting');
  }, 240_000);
});
