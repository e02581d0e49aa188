/**
 * In-process notifications of room changes, for the realtime layer: after a membership or room change
 * commits, the rooms domain emits here, and socket code (e.g. to make a kicked user's sockets leave the
 * room through the adapter, which reaches every node) listens. One bus per server instance, keyed by its
 * database handle, so several servers in one process (tests) do not hear each other.
 */
import { EventEmitter } from 'node:events';
import type { RoomRole } from '@synctalk/sdk';
import type { Deps } from '../platform/deps.js';
import type { Room } from './rooms.repository.js';

export interface RoomEventMap {
  member_joined: { siteId: string; roomId: string; userId: string; role: RoomRole };
  /** `left`: by choice; `kicked`/`banned`: by a moderator. */
  member_left: { siteId: string; roomId: string; userId: string; reason: 'left' | 'kicked' | 'banned' };
  /** Role or mute changed. */
  member_updated: { siteId: string; roomId: string; userId: string; role: RoomRole; mutedUntil: Date | null };
  /**
   * The room changed (title, visibility, join code…). `exceptUserIds`: users who must not get the update,
   * e.g. a member removed in the same change, whose connections may not have left the room yet on every node.
   */
  room_updated: { siteId: string; room: Room; exceptUserIds?: string[] };
  /** The room is gone (soft-deleted): its sockets should leave it. */
  room_deleted: { siteId: string; roomId: string };
}

export type RoomEventName = keyof RoomEventMap;

export interface RoomEvents {
  on<K extends RoomEventName>(event: K, listener: (payload: RoomEventMap[K]) => void): () => void;
  /** Delivers to every listener; a listener that throws is logged and does not affect the others. */
  emit<K extends RoomEventName>(event: K, payload: RoomEventMap[K]): void;
}

const buses = new WeakMap<object, RoomEvents>();

/** The room event bus of the server `deps` belongs to. */
export function roomEvents(deps: Pick<Deps, 'db' | 'logger'>): RoomEvents {
  let bus = buses.get(deps.db);
  if (!bus) {
    const emitter = new EventEmitter();
    emitter.setMaxListeners(0);
    bus = {
      on(event, listener) {
        const wrapped = (payload: RoomEventMap[typeof event]) => {
          try {
            listener(payload);
          } catch (error) {
            deps.logger.error({ err: error, event }, 'room event listener failed');
          }
        };
        emitter.on(event, wrapped);
        return () => emitter.off(event, wrapped);
      },
      emit(event, payload) {
        emitter.emit(event, payload);
      },
    };
    buses.set(deps.db, bus);
  }
  return bus;
}
