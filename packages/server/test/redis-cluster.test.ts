import { Cluster } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { clusterNodeList } from './helpers/env.js';
import { describeWith } from './helpers/services.js';
import { startTestServer, type TestServer } from './helpers/server.js';

describeWith(['redisCluster'], 'shared state on the real 6-node Redis Cluster', () => {
  let t: TestServer;
  let raw: Cluster;
  beforeAll(async () => {
    t = await startTestServer({ redis: 'cluster' });
    raw = new Cluster(clusterNodeList());
  });
  afterAll(async () => {
    raw?.disconnect();
    await t?.close();
  });

  it('is a cluster of 3 masters and 3 replicas', async () => {
    const nodes = String(await raw.cluster('NODES'))
      .trim()
      .split('\n');
    expect(nodes).toHaveLength(6);
    expect(nodes.filter((l) => / (myself,)?master /.test(l))).toHaveLength(3);
    expect(nodes.filter((l) => / (myself,)?slave /.test(l))).toHaveLength(3);
  });

  it('writes keys that land in different slots on different masters and reads them back', async () => {
    const prefix = `test:${Date.now()}:`;
    const keys = Array.from({ length: 30 }, (_, i) => `${prefix}${i}`);
    for (const key of keys) expect(await t.server.store.set(key, `v-${key}`, { ttlMs: 60_000 })).toBe(true);
    for (const key of keys) expect(await t.server.store.get(key)).toBe(`v-${key}`);

    const slots = new Set<number>();
    const owners = new Set<string>();
    const ranges = await raw.cluster('SLOTS');
    for (const key of keys) {
      const slot = Number(await raw.cluster('KEYSLOT', key));
      slots.add(slot);
      const range = ranges.find(([from, to]) => slot >= from && slot <= to)!;
      const master = range[2]!;
      owners.add(`${master[0]}:${master[1]}`);
      // Read back through an independent client: the value really is in the cluster.
      expect(await raw.get(key)).toBe(`v-${key}`);
    }
    expect(slots.size).toBeGreaterThan(1);
    expect(owners.size).toBe(3);
    await Promise.all(keys.map((k) => t.server.store.del(k)));
    expect(await raw.exists(keys[0]!)).toBe(0);
  });

  it('counts hits atomically across concurrent callers with an expiring window', async () => {
    const key = `test:hits:${Date.now()}`;
    const results = await Promise.all(Array.from({ length: 25 }, () => t.server.store.hit(key, 5000)));
    expect(results.map((r) => r.count).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
    const ttl = await raw.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5000);
  });

  it('sets only-if-absent and takes a key exactly once', async () => {
    const key = `test:once:${Date.now()}`;
    expect(await t.server.store.set(key, 'a', { onlyIfAbsent: true, ttlMs: 10_000 })).toBe(true);
    expect(await t.server.store.set(key, 'b', { onlyIfAbsent: true, ttlMs: 10_000 })).toBe(false);
    const taken = await Promise.all([t.server.store.take(key), t.server.store.take(key)]);
    expect(taken.sort()).toEqual(['a', null].sort());
  });

  it('reports ready through the cluster', async () => {
    const res = await fetch(`${t.url}/readyz`);
    expect(res.status).toBe(200);
  });
});
