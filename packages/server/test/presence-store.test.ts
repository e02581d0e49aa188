import { randomBytes } from 'node:crypto';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/platform/logger.js';
import {
  createSharedStore,
  expiringSetVersionKey,
  type ExpiringSetState,
  type SharedStore,
} from '../src/platform/redis.js';
import { PRESENCE_LIST_LIMIT, presenceState } from '../src/presence/presence.js';
import { clusterNodeList, redisClusterNodes } from './helpers/env.js';
import { describeWith } from './helpers/services.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The expiring-set contract presence relies on, for any store. */
function contract(name: string, open: () => Promise<SharedStore>) {
  describe(name, () => {
    let store: SharedStore;
    beforeAll(async () => {
      store = await open();
    });
    afterAll(async () => store?.close());
    const key = () => `test:presence:${randomBytes(6).toString('hex')}`;
    const sorted = (s: ExpiringSetState) => ({ ...s, members: [...s.members].sort() });
    /** Some version of a set that changed. */
    const changedVersion = expect.stringMatching(/^[1-9]\d*$/);

    it('adds, refreshes, removes and reads members atomically', async () => {
      const k = key();
      expect(await store.expiringSet(k, 'get')).toEqual({ members: [], expired: 0, version: '0' });
      expect(sorted(await store.expiringSet(k, 'add', ['1|a', '2|b'], 10_000))).toEqual({
        members: ['1|a', '2|b'],
        expired: 0,
        version: changedVersion,
      });
      expect(sorted(await store.expiringSet(k, 'add', ['1|a'], 10_000))).toEqual({
        members: ['1|a', '2|b'],
        expired: 0,
        version: changedVersion,
      });
      expect(await store.expiringSet(k, 'remove', ['2|b', 'nobody'])).toEqual({
        members: ['1|a'],
        expired: 0,
        version: changedVersion,
      });
      expect(await store.expiringSet(k, 'remove', ['1|a'])).toEqual({
        members: [],
        expired: 0,
        version: changedVersion,
      });
    });

    it('expires members one by one, unless refreshed, and reports how many expired', async () => {
      const k = key();
      await store.expiringSet(k, 'add', ['1|short'], 600);
      await store.expiringSet(k, 'add', ['2|long'], 10_000);
      await sleep(300);
      await store.expiringSet(k, 'add', ['3|refreshed'], 600);
      await sleep(400);
      // "short" is gone (and counted once), "refreshed" is still within its window.
      expect(sorted(await store.expiringSet(k, 'get'))).toEqual({
        members: ['2|long', '3|refreshed'],
        expired: 1,
        version: changedVersion,
      });
      expect(sorted(await store.expiringSet(k, 'get'))).toEqual({
        members: ['2|long', '3|refreshed'],
        expired: 0,
        version: changedVersion,
      });
      await store.expiringSet(k, 'add', ['3|refreshed'], 600);
      await sleep(400);
      expect((await store.expiringSet(k, 'get')).members.sort()).toEqual(['2|long', '3|refreshed']);
      await sleep(500);
      expect(await store.expiringSet(k, 'get')).toEqual({
        members: ['2|long'],
        expired: 1,
        version: changedVersion,
      });
    });

    it('versions every change with it: larger after each add, removal or expiry, the same otherwise', async () => {
      const k = key();
      const version = async (...call: [op: 'add' | 'remove' | 'get', members?: string[], ttlMs?: number]) =>
        BigInt((await store.expiringSet(k, ...call)).version);
      const first = await version('add', ['1|short'], 600);
      expect(first).toBeGreaterThan(0n);
      // Refreshing a member that is there, reading, and removing one that is not change nothing.
      expect(await version('add', ['1|short'], 600)).toBe(first);
      expect(await version('get')).toBe(first);
      expect(await version('remove', ['nobody'])).toBe(first);
      const second = await version('add', ['2|long'], 10_000);
      expect(second).toBeGreaterThan(first);
      await sleep(700);
      // "short" expired: the call that discards it is a change.
      const expired = await version('get');
      expect(expired).toBeGreaterThan(second);
      const emptied = await version('remove', ['2|long']);
      expect(emptied).toBeGreaterThan(expired);
      // The set is gone (empty); it comes back with a larger version still.
      expect(await version('add', ['3|back'], 10_000)).toBeGreaterThan(emptied);
    });

    it('takes each version with its change: concurrent adds are numbered in the order they applied', async () => {
      const k = key();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.expiringSet(k, 'add', [`u|${i}`], 10_000)),
      );
      // The call that saw n members came right after the one that saw n - 1, whatever order the answers took.
      const byEffect = [...results].sort((a, b) => a.members.length - b.members.length);
      const versions = byEffect.map((r) => BigInt(r.version));
      for (let i = 1; i < versions.length; i += 1) expect(versions[i]).toBeGreaterThan(versions[i - 1]!);
    });

    it('counts concurrent adds exactly (each caller sees its own effect)', async () => {
      const k = key();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.expiringSet(k, 'add', [`u|${i}`], 10_000)),
      );
      expect(results.map((r) => r.members.length).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
    });
  });
}

contract('expiring sets in memory', () =>
  createSharedStore({ kind: 'memory' }, { retries: 0, logger: createLogger('silent') }),
);

describeWith(['redisCluster'], 'expiring sets on the Redis Cluster', () => {
  const open = () =>
    createSharedStore(loadConfig({ NODE_ENV: 'test', REDIS_CLUSTER_NODES: redisClusterNodes() }).redis, {
      retries: 1,
      logger: createLogger('silent'),
    });
  contract('cluster', open);

  describe('the version key', () => {
    let store: SharedStore;
    let redis: Cluster;
    beforeAll(async () => {
      store = await open();
      redis = new Cluster(clusterNodeList());
    });
    afterAll(async () => {
      await store?.close();
      redis?.disconnect();
    });

    it('lives in the slot of its set, which keeps its name', async () => {
      for (const k of ['presence:pub_abc:room:42', `test:presence:${randomBytes(6).toString('hex')}`]) {
        const slot = await redis.cluster('KEYSLOT', k);
        expect(await redis.cluster('KEYSLOT', expiringSetVersionKey(k))).toBe(slot);
      }
      // A key with a hash tag of its own keeps it.
      expect(expiringSetVersionKey('presence:{site}:room:1')).toBe('presence:{site}:room:1:version');
      const k = `test:presence:${randomBytes(6).toString('hex')}`;
      const { version } = await store.expiringSet(k, 'add', ['1|a'], 10_000);
      expect(await redis.get(expiringSetVersionKey(k))).toBe(version);
      expect(await redis.zrange(k, '0', '-1')).toEqual(['1|a']);
    });

    it('goes on from above its last version when the set and its version were lost', async () => {
      const k = `test:presence:${randomBytes(6).toString('hex')}`;
      await store.expiringSet(k, 'add', ['1|a'], 10_000);
      const before = BigInt((await store.expiringSet(k, 'add', ['2|b'], 10_000)).version);
      // As after a Redis restored empty, or a failover that lost the last writes.
      await redis.del(k, expiringSetVersionKey(k));
      const after = await store.expiringSet(k, 'add', ['1|a'], 10_000);
      expect(after.members).toEqual(['1|a']);
      expect(BigInt(after.version)).toBeGreaterThan(before);
    });
  });
});

describe('presenceState', () => {
  it('lists each online user once, in id order, and counts them exactly past the list limit', () => {
    expect(presenceState('9', ['10|a', '2|b', '10|c'], '12')).toEqual({
      roomId: '9',
      online: ['2', '10'],
      count: 2,
      version: '12',
    });
    const many = Array.from({ length: PRESENCE_LIST_LIMIT + 5 }, (_, i) => `${i + 1}|s${i}`);
    const state = presenceState('1', many, '1');
    expect(state.count).toBe(PRESENCE_LIST_LIMIT + 5);
    expect(state.online).toHaveLength(PRESENCE_LIST_LIMIT);
    expect(state.online[0]).toBe('1');
  });
});
