/**
 * Shared state between server nodes: a Redis Cluster (REDIS_CLUSTER_NODES), a single Redis (REDIS_URL), or,
 * with neither, process memory. This module alone decides; the rest of the server uses the `SharedStore`
 * interface (counters with expiry, keys with expiry) and `socketAdapter()` without knowing which was chosen.
 */
import type { Config } from '../config.js';
import type { Logger } from './logger.js';
import {
  EXPIRING_SET_VERSION_KEEP_MS,
  expiringSetVersionKey,
  type ExpiringSetState,
  type SharedStore,
} from './shared-store.js';

export type { AdapterFactory } from './redis-pubsub.js';
export { EXPIRING_SET_VERSION_KEEP_MS, expiringSetVersionKey, type ExpiringSetState, type SharedStore };

class MemoryStore implements SharedStore {
  readonly description = 'in-memory (single node)';
  private readonly values = new Map<string, { value: string; expiresAt: number }>();
  private readonly sets = new Map<string, Map<string, number>>();
  /** Each expiring set's version, kept until `keepUntil` after its last change or member's expiry. */
  private readonly versions = new Map<string, { version: number; keepUntil: number }>();
  private readonly sweeper = setInterval(() => this.sweep(), 30_000).unref();

  private live(key: string) {
    const entry = this.values.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.values.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep() {
    const now = Date.now();
    for (const [key, entry] of this.values) if (entry.expiresAt <= now) this.values.delete(key);
    for (const [key, set] of this.sets) {
      for (const [member, expiresAt] of set) if (expiresAt <= now) set.delete(member);
      if (set.size === 0) this.sets.delete(key);
    }
    for (const [key, entry] of this.versions) {
      if (entry.keepUntil <= now && !this.sets.has(key)) this.versions.delete(key);
    }
  }

  async hit(key: string, windowMs: number) {
    const now = Date.now();
    const entry = this.live(key);
    if (!entry) {
      this.values.set(key, { value: '1', expiresAt: now + windowMs });
      return { count: 1, resetMs: windowMs };
    }
    entry.value = String(Number(entry.value) + 1);
    return { count: Number(entry.value), resetMs: entry.expiresAt - now };
  }

  async get(key: string) {
    return this.live(key)?.value ?? null;
  }

  async set(key: string, value: string, options: { ttlMs?: number; onlyIfAbsent?: boolean } = {}) {
    if (options.onlyIfAbsent && this.live(key)) return false;
    this.values.set(key, { value, expiresAt: options.ttlMs ? Date.now() + options.ttlMs : Infinity });
    return true;
  }

  async take(key: string) {
    const entry = this.live(key);
    this.values.delete(key);
    return entry?.value ?? null;
  }

  async del(key: string) {
    this.values.delete(key);
  }

  async expiringSet(key: string, op: 'add' | 'remove' | 'get', members: string[] = [], ttlMs = 0) {
    const now = Date.now();
    let set = this.sets.get(key);
    let expired = 0;
    if (set) {
      for (const [member, expiresAt] of set) {
        if (expiresAt <= now) {
          set.delete(member);
          expired += 1;
        }
      }
    }
    let changes = expired;
    if (op === 'add' && members.length > 0) {
      set ??= new Map();
      this.sets.set(key, set);
      for (const member of members) {
        if (!set.has(member)) changes += 1;
        set.set(member, now + ttlMs);
      }
    } else if (op === 'remove' && set) {
      for (const member of members) if (set.delete(member)) changes += 1;
    }
    if (set?.size === 0) this.sets.delete(key);
    // As the Redis script does: one more than before, or the clock in µs when that is larger.
    let entry = this.versions.get(key);
    if (changes > 0) {
      entry = { version: Math.max((entry?.version ?? 0) + 1, now * 1000), keepUntil: 0 };
      this.versions.set(key, entry);
    }
    const latest = op === 'add' ? now + ttlMs : now;
    if (entry) entry.keepUntil = Math.max(entry.keepUntil, latest + EXPIRING_SET_VERSION_KEEP_MS);
    return { members: set ? [...set.keys()] : [], expired, version: String(entry?.version ?? 0) };
  }

  async ping() {}

  socketAdapter() {
    return undefined;
  }

  async close() {
    clearInterval(this.sweeper);
    this.values.clear();
    this.sets.clear();
  }
}

/**
 * The shared store `config` names, connected (with bounded retries for Redis). The Redis client and adapter
 * modules load only when Redis is configured: the single-node default never pays for them.
 */
export async function createSharedStore(
  config: Config['redis'],
  options: { retries: number; logger: Logger },
): Promise<SharedStore> {
  if (config.kind === 'memory') return new MemoryStore();
  const { connectRedisStore } = await import('./redis-store.js');
  return connectRedisStore(config, options);
}
