/**
 * The one way domains reach sockets: a `RoomEmitter`, built once per server and handed to the domains in
 * their deps. It does two things:
 *
 * - `emit(roomId, event, payload)`: to every connection that joined chat room `roomId` (`room:join`), on
 *   every node, through the namespace's adapter (Redis sharded Pub/Sub, classic Pub/Sub or memory). Domains
 *   never see Socket.IO room names.
 * - `notify(change, payload)` / `on(change, listener)`: in-process notifications of changes that need more
 *   than one emit (e.g. a kicked member's connections must also leave the room on every node). A domain
 *   notifies after its change commits; the socket layer listens and does the Socket.IO work. The change names
 *   and payloads (`N`) are the domain's; the platform only delivers them.
 *
 * Each server builds its own, so several servers in one process (tests) never hear each other.
 */
import { EventEmitter } from 'node:events';
import type { ClientToServerEvents, ServerToClientEvents } from '@synctalk/sdk';
import type { Namespace } from 'socket.io';
import type { Logger } from '../logger.js';
import { chatRoomName } from './room-names.js';

/** Emits `event` to every connection in chat room `roomId`, whichever node holds it. */
export type EmitToRoom = <E extends keyof ServerToClientEvents>(
  roomId: string,
  event: E,
  ...args: Parameters<ServerToClientEvents[E]>
) => void;

export interface RoomEmitter<N extends object> {
  emit: EmitToRoom;
  /** Delivers to every listener of `change`; a listener that throws is logged and does not affect the others. */
  notify<K extends keyof N & string>(change: K, payload: N[K]): void;
  /** Listens to `change`; returns the function that stops listening. */
  on<K extends keyof N & string>(change: K, listener: (payload: N[K]) => void): () => void;
}

/** A room emitter before and after it knows its namespace (the server wires it; domains see `RoomEmitter`). */
export interface AttachableRoomEmitter<N extends object> extends RoomEmitter<N> {
  /**
   * Sends `emit`s to `nsp` from now on. Before this, `emit` reaches nobody: the server builds the emitter with
   * the domains' deps, before the Socket.IO server exists, and no connection can exist yet.
   */
  attach(nsp: Namespace<ClientToServerEvents, ServerToClientEvents, never, unknown>): void;
}

/** A room emitter with change notifications of the shape `N`; `attach` gives it its namespace. */
export function roomEmitter<N extends object>(logger: Logger): AttachableRoomEmitter<N> {
  let target: Namespace<ClientToServerEvents, ServerToClientEvents, never, unknown> | undefined;
  const changes = new EventEmitter();
  changes.setMaxListeners(0);
  return {
    attach(nsp) {
      target = nsp;
    },
    emit(roomId, event, ...args) {
      target?.to(chatRoomName(roomId)).emit(event, ...args);
    },
    notify(change, payload) {
      changes.emit(change, payload);
    },
    on(change, listener) {
      const wrapped = (payload: N[typeof change]) => {
        try {
          listener(payload);
        } catch (error) {
          logger.error({ err: error, event: change }, 'room event listener failed');
        }
      };
      changes.on(change, wrapped);
      return () => changes.off(change, wrapped);
    },
  };
}
