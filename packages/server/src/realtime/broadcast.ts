/**
 * Emitting to a chat room's connections on every node. Domains get a `RoomEmitter` and never see Socket.IO
 * room names; emits go through the namespace's adapter (Redis sharded Pub/Sub, classic Pub/Sub or memory).
 */
import type { ServerToClientEvents } from '@synctalk/sdk';
import { chatRoomName } from './room-names.js';
import type { ChatNamespace } from './types.js';

export type RoomEmitter = <E extends keyof ServerToClientEvents>(
  roomId: string,
  event: E,
  ...args: Parameters<ServerToClientEvents[E]>
) => void;

/** Emits to every connection that joined `roomId` (`room:join`), whichever node holds it. */
export function roomEmitter(nsp: ChatNamespace): RoomEmitter {
  return (roomId, event, ...args) => {
    nsp.to(chatRoomName(roomId)).emit(event, ...args);
  };
}
