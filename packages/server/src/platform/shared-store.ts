/**
 * What the server keeps shared between nodes, whatever keeps it (process memory or Redis, see redis.ts):
 * the `SharedStore` interface and the expiring sets' version rules both implementations follow.
 */
import type { AdapterFactory } from './redis-pubsub.js';

/** The live members of an expiring set, and how many expired members the call discarded. */
export interface ExpiringSetState {
  members: string[];
  expired: number;
  /**
   * The set's version, a decimal string: taken in the same atomic step as the call's change, and larger
   * after every change (a member added, removed or expired) than before it, so of two states the one with
   * the larger version is the newer. `"0"` for a set that never changed (or was forgotten: see
   * `expiringSet`).
   */
  version: string;
}

/**
 * How long the version of an expiring set outlives its last member (ms). Versions also follow the store's
 * clock (below), so one forgotten and started again still goes on from above every earlier version.
 */
export const EXPIRING_SET_VERSION_KEEP_MS = 60_000;

/**
 * The key that holds the version of the expiring set `key`, in the same Redis Cluster slot: `key`'s own hash
 * tag when it has one, else all of `key` as the tag (`presence:s:room:1` → `{presence:s:room:1}:version`, whose
 * slot is that of `presence:s:room:1`), so the set keeps its name and both change in one script.
 */
export function expiringSetVersionKey(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? `${key}:version` : `{${key}}:version`;
}

export interface SharedStore {
  /** Human description for logs. */
  readonly description: string;
  /** Adds 1 to `key`, starting a window of `windowMs` on first use. Returns the count and the ms left. */
  hit(key: string, windowMs: number): Promise<{ count: number; resetMs: number }>;
  get(key: string): Promise<string | null>;
  /** Sets `key`; with `ttlMs` it expires. With `onlyIfAbsent` returns false when the key existed. */
  set(key: string, value: string, options?: { ttlMs?: number; onlyIfAbsent?: boolean }): Promise<boolean>;
  /** Deletes `key` and returns the value it had (atomic get-and-delete). */
  take(key: string): Promise<string | null>;
  del(key: string): Promise<void>;
  /**
   * A set whose members expire one by one (presence: a member per connection, refreshed by its node's
   * heartbeat). `op` 'add' inserts or refreshes `members` to expire `ttlMs` from now, 'remove' drops them,
   * 'get' only reads. Every call first discards expired members and returns the live ones, atomically,
   * with the set's version: a call that changed the set (added a new member, removed one, or discarded
   * expired ones) makes it max(previous version + 1, the store's clock in microseconds), so versions only
   * grow, also after the set was forgotten (emptied, and its version kept `EXPIRING_SET_VERSION_KEEP_MS`
   * more) or lost (a Redis restored empty), as long as the store's clock does not go back. Refreshing
   * members that are there changes nothing. The set and its version share one cluster slot (see
   * `expiringSetVersionKey`); expiry uses the store's clock, so nodes' clocks need not agree.
   */
  expiringSet(
    key: string,
    op: 'add' | 'remove' | 'get',
    members?: string[],
    ttlMs?: number,
  ): Promise<ExpiringSetState>;
  ping(timeoutMs?: number): Promise<void>;
  /** The Socket.IO adapter for fan-out across nodes; undefined means Socket.IO's in-memory default. */
  socketAdapter(): AdapterFactory | undefined;
  close(): Promise<void>;
}
