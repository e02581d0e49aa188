import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/platform/logger.js';
import { createSharedStore, type SharedStore } from '../src/platform/redis.js';
import { PRESENCE_LIST_LIMIT, presenceState } from '../src/presence/presence.js';
import { redisClusterNodes } from './helpers/env.js';
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
    const sorted = (s: { members: string[]; expired: number }) => ({ ...s, members: [...s.members].sort() });

    it('adds, refreshes, removes and reads members atomically', async () => {
      const k = key();
      expect(await store.expiringSet(k, 'get')).toEqual({ members: [], expired: 0 });
      expect(sorted(await store.expiringSet(k, 'add', ['1|a', '2|b'], 10_000))).toEqual({
        members: ['1|a', '2|b'],
        expired: 0,
      });
      expect(sorted(await store.expiringSet(k, 'add', ['1|a'], 10_000))).toEqual({
        members: ['1|a', '2|b'],
        expired: 0,
      });
      expect(await store.expiringSet(k, 'remove', ['2|b', 'nobody'])).toEqual({
        members: ['1|a'],
        expired: 0,
      });
      expect(await store.expiringSet(k, 'remove', ['1|a'])).toEqual({ members: [], expired: 0 });
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
      });
      expect(sorted(await store.expiringSet(k, 'get'))).toEqual({
        members: ['2|long', '3|refreshed'],
        expired: 0,
      });
      await store.expiringSet(k, 'add', ['3|refreshed'], 600);
      await sleep(400);
      expect((await store.expiringSet(k, 'get')).members.sort()).toEqual(['2|long', '3|refreshed']);
      await sleep(500);
      expect(await store.expiringSet(k, 'get')).toEqual({ members: ['2|long'], expired: 1 });
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
  contract('cluster', () =>
    createSharedStore(loadConfig({ NODE_ENV: 'test', REDIS_CLUSTER_NODES: redisClusterNodes() }).redis, {
      retries: 1,
      logger: createLogger('silent'),
    }),
  );
});

describe('presenceState', () => {
  it('lists each online user once, in id order, and counts them exactly past the list limit', () => {
    expect(presenceState('9', ['10|a', '2|b', '10|c'])).toEqual({
      roomId: '9',
      online: ['2', '10'],
      count: 2,
    });
    const many = Array.from({ length: PRESENCE_LIST_LIMIT + 5 }, (_, i) => `${i + 1}|s${i}`);
    const state = presenceState('1', many);
    expect(state.count).toBe(PRESENCE_LIST_LIMIT + 5);
    expect(state.online).toHaveLength(PRESENCE_LIST_LIMIT);
    expect(state.online[0]).toBe('1');
  });
});
