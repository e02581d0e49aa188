/**
 * The Redis side of the shared store (see redis.ts, which loads this module): a Redis Cluster (REDIS_CLUSTER_NODES) or a single Redis
 * (REDIS_URL) through ioredis, and the Socket.IO adapter on it. Loaded only when one is configured.
 */
import { Cluster, Redis } from 'ioredis';
import type { Config } from '../config.js';
import type { Logger } from './logger.js';
import { EXPIRING_SET_VERSION_KEEP_MS, expiringSetVersionKey, type SharedStore } from './shared-store.js';
import { classicAdapter, shardedAdapter, type AdapterFactory } from './redis-pubsub.js';
import { describeError, retry } from './retry.js';

/** How long a store command may take before it fails (see `RedisStore.bounded`). */
const STORE_COMMAND_TIMEOUT_MS = 3000;

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  // If the timeout wins, a later rejection of `promise` must not go unhandled.
  promise.catch(() => undefined);
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}

// INCR, and start the window on the first hit; returns [count, pttl]. One key, so one slot: cluster-safe.
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { count, ttl }`;

// A sorted set scored by expiry time (ms, the server's clock), KEYS[1], and its version, KEYS[2] (same slot).
// Drops expired members, applies the operation, keeps the set alive as long as its latest member; when that
// changed the set, its version becomes max(version + 1, the clock in µs), which stays below 2^53 (exact in
// Lua's numbers) for centuries. The version outlives the set by ARGV[3] ms. Returns { expired, live members,
// version }.
const EXPIRING_SET_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expired = redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local changes = expired
local op = ARGV[1]
if op == 'add' and #ARGV > 3 then
  local ttl = tonumber(ARGV[2])
  for i = 4, #ARGV do changes = changes + redis.call('ZADD', KEYS[1], now + ttl, ARGV[i]) end
  if redis.call('PTTL', KEYS[1]) < ttl then redis.call('PEXPIRE', KEYS[1], ttl) end
elseif op == 'remove' then
  for i = 4, #ARGV do changes = changes + redis.call('ZREM', KEYS[1], ARGV[i]) end
end
local version = redis.call('GET', KEYS[2])
if changes > 0 then
  local micros = tonumber(t[1]) * 1000000 + tonumber(t[2])
  version = string.format('%.0f', math.max(tonumber(version or '0') + 1, micros))
  redis.call('SET', KEYS[2], version)
end
if version then
  redis.call('PEXPIRE', KEYS[2], math.max(redis.call('PTTL', KEYS[1]), 0) + tonumber(ARGV[3]))
end
return { expired, redis.call('ZRANGE', KEYS[1], 0, -1), version or '0' }`;

class RedisStore implements SharedStore {
  private readonly extra: (Redis | Cluster)[] = [];

  constructor(
    readonly description: string,
    private readonly client: Redis | Cluster,
    private readonly makeAdapter: (store: RedisStore) => AdapterFactory,
    private readonly onError: (error: unknown) => void,
  ) {
    client.on('error', onError);
  }

  /** A second connection for subscriptions, closed with the store. */
  duplicate(options?: Record<string, unknown>): Redis | Cluster {
    const copy =
      this.client instanceof Cluster
        ? this.client.duplicate(undefined, options)
        : this.client.duplicate(options);
    copy.on('error', (error: unknown) => this.onError(error));
    this.extra.push(copy);
    return copy;
  }

  get redis(): Redis | Cluster {
    return this.client;
  }

  /**
   * A command's answer, or an error after STORE_COMMAND_TIMEOUT_MS. While no node of the cluster answers,
   * ioredis queues commands until it reconnects; callers (a send's rate limit, a join's presence) must be
   * refused as `unavailable` then, not wait for the outage to end.
   */
  private bounded<T>(command: Promise<T>): Promise<T> {
    return withTimeout(command, STORE_COMMAND_TIMEOUT_MS);
  }

  async hit(key: string, windowMs: number) {
    const [count, ttl] = (await this.bounded(this.client.eval(HIT_SCRIPT, 1, key, String(windowMs)))) as [
      number,
      number,
    ];
    return { count, resetMs: ttl };
  }

  async get(key: string) {
    return this.bounded(this.client.get(key));
  }

  async set(key: string, value: string, options: { ttlMs?: number; onlyIfAbsent?: boolean } = {}) {
    const args: (string | number)[] = [];
    if (options.ttlMs) args.push('PX', Math.max(1, Math.round(options.ttlMs)));
    if (options.onlyIfAbsent) args.push('NX');
    const result = await this.bounded(
      (this.client.set as (...a: unknown[]) => Promise<string | null>)(key, value, ...args),
    );
    return result === 'OK';
  }

  async take(key: string) {
    return this.bounded(this.client.getdel(key));
  }

  async del(key: string) {
    await this.bounded(this.client.del(key));
  }

  async expiringSet(key: string, op: 'add' | 'remove' | 'get', members: string[] = [], ttlMs = 0) {
    const [expired, live, version] = (await this.bounded(
      this.client.eval(
        EXPIRING_SET_SCRIPT,
        2,
        key,
        expiringSetVersionKey(key),
        op,
        String(Math.max(1, Math.round(ttlMs))),
        String(EXPIRING_SET_VERSION_KEEP_MS),
        ...members,
      ),
    )) as [number, string[], string];
    return { members: live, expired, version };
  }

  async ping(timeoutMs = 2000) {
    await withTimeout(this.client.ping(), timeoutMs);
  }

  socketAdapter() {
    return this.makeAdapter(this);
  }

  async close() {
    // QUIT waits for a server that may be gone; bound it, then drop the connection.
    await Promise.allSettled(
      [...this.extra, this.client].map((c) =>
        withTimeout(c.quit(), 1000).catch(() => {
          c.disconnect();
        }),
      ),
    );
  }
}

/** Waits for `ready`, failing at the first connection error or after `timeoutMs` (the caller retries). */
function waitReady(client: Redis | Cluster, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => settle(new Error(`not ready within ${timeoutMs} ms`)), timeoutMs);
    const onReady = () => settle();
    const onError = (error: unknown) => settle(error ?? new Error('connection failed'));
    const settle = (error?: unknown) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      if (error) reject(error);
      else resolve();
    };
    client.on('ready', onReady);
    client.on('error', onError);
  });
}

/** How many times ioredis sends a subscription command that fails on a lost master (its default: 16). */
const SUBSCRIBER_TRIES = 6;

/** Connects to the Redis `config` names, with bounded retries; the store once it answers. */
export async function connectRedisStore(
  config: Exclude<Config['redis'], { kind: 'memory' }>,
  options: { retries: number; logger: Logger },
): Promise<SharedStore> {
  const { logger } = options;
  // Connection errors are logged, never left as unhandled 'error' events; ioredis reconnects by itself.
  const onError = (error: unknown) =>
    logger.debug({ reason: describeError(error) }, 'redis connection error');
  const classic = (self: RedisStore) => classicAdapter(self.redis, self.duplicate(), { logger });
  let store: RedisStore;
  if (config.kind === 'cluster') {
    const nodes = config.nodes;
    const cluster = new Cluster(nodes, {
      lazyConnect: true,
      enableReadyCheck: true,
      // Sharded Pub/Sub (SSUBSCRIBE) needs one subscriber per shard; ioredis only routes it with this on.
      shardedSubscribers: config.adapter === 'sharded',
      clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
      redisOptions: { connectTimeout: 5000, maxRetriesPerRequest: 3 },
    });
    store = new RedisStore(
      `Redis Cluster ${nodes.map((n) => `${n.host}:${n.port}`).join(',')}`,
      cluster,
      (self) => {
        if (config.adapter === 'sharded') {
          // SPUBLISH/SSUBSCRIBE: each room's messages go to one shard, not every node of the cluster.
          // While a channel's master is down ioredis retries an SSUBSCRIBE every 100 ms or more; after a few
          // tries it gives up, so a join there is refused (retryable) in about a second instead of waiting
          // out the failover (ioredis subscribes the channel again on the new master anyway).
          const sub = self.duplicate({
            shardedSubscribers: true,
            maxRedirections: SUBSCRIBER_TRIES,
          }) as Cluster;
          return shardedAdapter(self.redis as Cluster, sub, { logger });
        }
        return classic(self);
      },
      onError,
    );
  } else {
    const client = new Redis(config.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 3,
      connectTimeout: 5000,
    });
    const u = new URL(config.url);
    store = new RedisStore(`Redis ${u.hostname}:${u.port || '6379'}`, client, classic, onError);
  }

  const client = store.redis;
  try {
    await retry(
      async () => {
        const ready = waitReady(client, 5000);
        if (client.status === 'wait' || client.status === 'end') client.connect().catch(() => undefined);
        await ready;
        await store.ping(2000);
      },
      {
        retries: options.retries,
        onRetry: (error, attempt, delayMs) =>
          logger.warn(
            { attempt, delayMs, reason: describeError(error) },
            `Redis not reachable yet (${store.description}); retrying`,
          ),
      },
    );
  } catch (error) {
    client.disconnect();
    throw new Error(
      `Cannot reach ${store.description} after ${options.retries + 1} attempts: ${describeError(error)}`,
      { cause: error },
    );
  }
  return store;
}
