/**
 * Who is online in each room, counted per connection and correct across nodes.
 *
 * Each room has one expiring set in the shared store (`presence:<site public id>:room:<id>`: deployments or
 * test databases sharing a Redis never mix) with a member per connection,
 * `<userId>|<socketId>`, that expires `ttlMs` after it was last refreshed. A node adds a member when one of its
 * connections joins the room, removes it when the connection leaves or closes, and refreshes all of its
 * members every `ttlMs / 3` (the heartbeat). A user is online while any of their members is live, so a second
 * tab keeps them online until the last one closes. When a node dies without cleaning up, its members stop
 * being refreshed and expire within `ttlMs`; the next heartbeat of any node with connections in that room
 * (at most `ttlMs / 3` later) discards them and announces the change.
 *
 * Every state carries the set's `version`, taken atomically with the change it reports (see
 * `SharedStore.expiringSet`). The states of one room reach a connection by different paths (its own
 * `room:join` answer, broadcasts from this node and from others through the adapter), so a state computed
 * before another can arrive after it: the version lets clients keep the newest (the SDK does).
 */
import type { PresenceState } from '@synctalk/sdk';
import type { Logger } from '../platform/logger.js';
import type { SharedStore } from '../platform/redis.js';

/** At most this many user ids are listed in a presence state; `count` stays exact. */
export const PRESENCE_LIST_LIMIT = 500;

export interface PresenceOptions {
  store: SharedStore;
  logger: Logger;
  /** How long a connection counts as online without a refresh from its node. */
  ttlMs: number;
  /** Called when a room's online users changed (someone came, left, or expired). */
  onChange: (state: PresenceState) => void;
}

export interface PresenceChange {
  state: PresenceState;
  /** Whether the set of online users changed (not only the number of connections). */
  changed: boolean;
}

const key = (sitePublicId: string, roomId: string) => `presence:${sitePublicId}:room:${roomId}`;
const member = (userId: string, socketId: string) => `${userId}|${socketId}`;

/** The room's state from its live members and the set's version. */
export function presenceState(roomId: string, members: string[], version: string): PresenceState {
  const users = new Set<string>();
  for (const m of members) users.add(m.slice(0, m.indexOf('|')));
  const online = [...users].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
  return { roomId, online: online.slice(0, PRESENCE_LIST_LIMIT), count: online.length, version };
}

function connectionsOf(userId: string, members: string[]): number {
  const prefix = `${userId}|`;
  return members.filter((m) => m.startsWith(prefix)).length;
}

export function presenceTracker(options: PresenceOptions) {
  const { store, logger, ttlMs } = options;
  /** This node's connections per room: roomId → its key and socketId → userId. */
  const local = new Map<string, { key: string; sockets: Map<string, string> }>();
  let stopped = false;

  async function heartbeat() {
    for (const [roomId, entry] of local) {
      if (entry.sockets.size === 0) continue;
      const members = [...entry.sockets].map(([socketId, userId]) => member(userId, socketId));
      try {
        const result = await store.expiringSet(entry.key, 'add', members, ttlMs);
        // Members expired: some node stopped refreshing (it died); tell the room who is still here.
        if (result.expired > 0 && !stopped)
          options.onChange(presenceState(roomId, result.members, result.version));
      } catch (error) {
        logger.warn({ err: error, roomId }, 'presence heartbeat failed');
      }
    }
  }

  let running: Promise<void> | undefined;
  const timer = setInterval(
    () => {
      running ??= heartbeat().finally(() => {
        running = undefined;
      });
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref();

  return {
    /** Marks `socketId` of `userId` online in `roomId` (of the site with public id `sitePublicId`). */
    async join(
      sitePublicId: string,
      roomId: string,
      userId: string,
      socketId: string,
    ): Promise<PresenceChange> {
      let entry = local.get(roomId);
      if (!entry) local.set(roomId, (entry = { key: key(sitePublicId, roomId), sockets: new Map() }));
      entry.sockets.set(socketId, userId);
      const result = await store.expiringSet(entry.key, 'add', [member(userId, socketId)], ttlMs);
      // The first connection of this user (each call is atomic, so exactly one sees 1) or expired members.
      const changed = connectionsOf(userId, result.members) === 1 || result.expired > 0;
      return { state: presenceState(roomId, result.members, result.version), changed };
    },

    /** Marks `socketId` offline in `roomId`; undefined when it was not there. */
    async leave(roomId: string, socketId: string): Promise<PresenceChange | undefined> {
      const entry = local.get(roomId);
      const userId = entry?.sockets.get(socketId);
      if (!entry || userId === undefined) return undefined;
      entry.sockets.delete(socketId);
      if (entry.sockets.size === 0) local.delete(roomId);
      const result = await store.expiringSet(entry.key, 'remove', [member(userId, socketId)]);
      const changed = connectionsOf(userId, result.members) === 0 || result.expired > 0;
      return { state: presenceState(roomId, result.members, result.version), changed };
    },

    /** The room's current state. */
    async get(sitePublicId: string, roomId: string): Promise<PresenceState> {
      const result = await store.expiringSet(key(sitePublicId, roomId), 'get');
      return presenceState(roomId, result.members, result.version);
    },

    /** Whether this node tracks `socketId` in `roomId`. */
    has(roomId: string, socketId: string): boolean {
      return local.get(roomId)?.sockets.has(socketId) ?? false;
    },

    /** Runs one heartbeat now (tests, and after a Redis failover). */
    heartbeat: () => heartbeat(),

    /**
     * Stops the heartbeat. With `cleanup` (a graceful shutdown) removes this node's members and returns the
     * rooms' new states; without it the members are left to expire, as if the node had died.
     */
    async stop(cleanup: boolean): Promise<PresenceState[]> {
      stopped = true;
      clearInterval(timer);
      await running;
      const states: PresenceState[] = [];
      if (cleanup) {
        const rooms = [...local];
        local.clear();
        await Promise.all(
          rooms.map(async ([roomId, entry]) => {
            const members = [...entry.sockets].map(([socketId, userId]) => member(userId, socketId));
            try {
              const result = await store.expiringSet(entry.key, 'remove', members);
              states.push(presenceState(roomId, result.members, result.version));
            } catch (error) {
              logger.warn({ err: error, roomId }, 'presence cleanup failed');
            }
          }),
        );
      }
      local.clear();
      return states;
    },
  };
}

export type PresenceTracker = ReturnType<typeof presenceTracker>;
