/**
 * The shared rate limiter (`platform/rate-limit.ts`) against both stores it runs on: the embedded in-memory
 * store and the real 6-node Redis Cluster. The same contract holds on each; the cluster part also checks where
 * the counters live.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { AppError } from '../src/platform/errors.js';
import { createLogger } from '../src/platform/logger.js';
import { rateLimiter, rateLimitKey, type RateLimit, type RateLimiter } from '../src/platform/rate-limit.js';
import { createSharedStore, type SharedStore } from '../src/platform/redis.js';
import { clusterNodeList, redisClusterNodes } from './helpers/env.js';
import { describeWith } from './helpers/services.js';

const logger = createLogger('silent');
let serial = 0;
/** A limit of its own for each test, so runs and tests never share counters. */
const newLimit = (max: number, windowMs = 60_000): RateLimit => ({
  name: `test:rl:${process.pid}:${Date.now()}:${(serial += 1)}`,
  max,
  windowMs,
  unavailable: 'Counting is unavailable',
});

function caught(promise: Promise<unknown>): Promise<AppError> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => {
      if (!(error instanceof AppError)) throw error;
      return error;
    },
  );
}

function contract(name: string, open: () => Promise<SharedStore>) {
  describe(name, () => {
    let store: SharedStore;
    let limiter: RateLimiter;
    beforeAll(async () => {
      store = await open();
      limiter = rateLimiter({ store, logger });
    });
    afterAll(async () => {
      await store?.close();
    });

    it('allows `max` hits per window, then refuses with the seconds left in the window', async () => {
      const limit = newLimit(3, 60_000);
      for (let i = 1; i <= 3; i += 1) {
        expect(await limiter.hit(limit, ['s', 'a'])).toMatchObject({ count: i, allowed: true });
      }
      const refused = await limiter.hit(limit, ['s', 'a']);
      expect(refused).toMatchObject({ count: 4, allowed: false });
      expect(refused.retryAfter).toBeGreaterThan(50);
      expect(refused.retryAfter).toBeLessThanOrEqual(60);
    });

    it('counts concurrent hits exactly: exactly `max` of them are allowed', async () => {
      const limit = newLimit(5);
      const states = await Promise.all(Array.from({ length: 20 }, () => limiter.hit(limit, ['s', 'a'])));
      expect(states.map((s) => s.count).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 20 }, (_, i) => i + 1),
      );
      expect(states.filter((s) => s.allowed)).toHaveLength(5);
    });

    it('keeps subjects apart', async () => {
      const limit = newLimit(1);
      expect((await limiter.hit(limit, ['s', 'a'])).allowed).toBe(true);
      expect((await limiter.hit(limit, ['s', 'a'])).allowed).toBe(false);
      expect((await limiter.hit(limit, ['s', 'b'])).allowed).toBe(true);
      expect((await limiter.hit(limit, ['t', 'a'])).allowed).toBe(true);
      expect((await limiter.hit(newLimit(1), ['s', 'a'])).allowed).toBe(true);
    });

    it('consume throws rate_limited with details.retryAfter and Retry-After past the limit', async () => {
      const limit = newLimit(2, 30_000);
      const message = (s: number) => `Too many tries; wait ${s} s`;
      await limiter.consume(limit, ['s'], message);
      await limiter.consume(limit, ['s'], message);
      const error = await caught(limiter.consume(limit, ['s'], message));
      expect(error.code).toBe('rate_limited');
      expect(error.status).toBe(429);
      const { retryAfter } = error.details as { retryAfter: number };
      expect(retryAfter).toBeGreaterThan(20);
      expect(retryAfter).toBeLessThanOrEqual(30);
      expect(error.message).toBe(`Too many tries; wait ${retryAfter} s`);
      expect(error.headers).toEqual({ 'Retry-After': String(retryAfter) });
    });

    it('peek reads without counting, and says whether one more hit would be allowed', async () => {
      const limit = newLimit(2);
      expect(await limiter.peek(limit, ['s'])).toMatchObject({ count: 0, allowed: true });
      await limiter.hit(limit, ['s']);
      expect(await limiter.peek(limit, ['s'])).toMatchObject({ count: 1, allowed: true });
      expect(await limiter.peek(limit, ['s'])).toMatchObject({ count: 1, allowed: true });
      await limiter.hit(limit, ['s']);
      expect(await limiter.peek(limit, ['s'])).toMatchObject({ count: 2, allowed: false });
    });

    it('reset forgets the count', async () => {
      const limit = newLimit(1);
      await limiter.hit(limit, ['s']);
      expect((await limiter.hit(limit, ['s'])).allowed).toBe(false);
      await limiter.reset(limit, ['s']);
      expect(await limiter.hit(limit, ['s'])).toMatchObject({ count: 1, allowed: true });
    });

    it('starts a new count once the window has passed', async () => {
      // A window long enough that two back-to-back hits on a busy machine still share it.
      const limit = newLimit(1, 1000);
      await limiter.hit(limit, ['s']);
      expect((await limiter.hit(limit, ['s'])).allowed).toBe(false);
      await sleep(1300);
      expect(await limiter.hit(limit, ['s'])).toMatchObject({ count: 1, allowed: true });
    });
  });
}

contract('rate limits on the in-memory store', () =>
  createSharedStore({ kind: 'memory' }, { retries: 0, logger }),
);

const openCluster = () =>
  createSharedStore(loadConfig({ NODE_ENV: 'test', REDIS_CLUSTER_NODES: redisClusterNodes() }).redis, {
    retries: 1,
    logger,
  });

describeWith(['redisCluster'], 'rate limits on the Redis Cluster', () => {
  contract('contract', openCluster);

  describe('where the counters live', () => {
    let store: SharedStore;
    let raw: Cluster;
    beforeAll(async () => {
      store = await openCluster();
      raw = new Cluster(clusterNodeList());
    });
    afterAll(async () => {
      raw?.disconnect();
      await store?.close();
    });

    it('keeps each counter in the cluster under its key, expiring with the window', async () => {
      const limit = newLimit(10, 45_000);
      const limiter = rateLimiter({ store, logger });
      await Promise.all([limiter.hit(limit, ['s', '::1']), limiter.hit(limit, ['s', '::1'])]);
      const key = rateLimitKey(limit.name, ['s', '::1']);
      expect(Number(await raw.get(key))).toBe(2);
      const ttl = await raw.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(45_000);
    });

    it('lets no client-chosen value pick the slot: braces in a subject are not a hash tag', async () => {
      const name = newLimit(1).name;
      const slots = new Set<number>();
      for (let i = 0; i < 16; i += 1) {
        slots.add(Number(await raw.cluster('KEYSLOT', rateLimitKey(name, [`{pinned}-${i}`]))));
      }
      // As raw keys these would all share the slot of "pinned".
      expect(await raw.cluster('KEYSLOT', `${name}:{pinned}-0`)).toBe(
        await raw.cluster('KEYSLOT', `${name}:{pinned}-1`),
      );
      expect(slots.size).toBeGreaterThan(1);
    });

    it('answers unavailable (and counts nothing) when the store cannot be reached', async () => {
      const closed = await openCluster();
      await closed.close();
      const limit = newLimit(1);
      const limiter = rateLimiter({ store: closed, logger });
      const error = await caught(limiter.consume(limit, ['s'], () => 'no'));
      expect(error.code).toBe('unavailable');
      expect(error.message).toBe('Counting is unavailable');
      expect((await caught(limiter.peek(limit, ['s']))).code).toBe('unavailable');
      expect(await raw.exists(rateLimitKey(limit.name, ['s']))).toBe(0);
    });
  });
});
