/** The typed Socket.IO handles of the `/chat` namespace, from the SDK's event contract. */
import type {
  ClientToServerEvents,
  MemberRemovedEvent,
  RoomDeletedEvent,
  ServerToClientEvents,
} from '@synctalk/sdk';
import type { Namespace, Server, Socket } from 'socket.io';
import type { AuthUser } from '../auth/tokens.js';
import type { Site } from '../sites/sites.repository.js';
import type { JoinedRooms } from './joined-rooms.js';

/**
 * Commands every node runs for its own connections (`serverSideEmit`), so that the event and the leaving
 * happen in that order on each node (see chat/chat.ts).
 */
export interface InterServerEvents {
  'chat:member-removed': (event: MemberRemovedEvent) => void;
  'chat:room-deleted': (event: RoomDeletedEvent) => void;
  /** A site changed on the sending node: drop the cached site lookups (sites/site-cache.ts). */
  'chat:sites-changed': () => void;
}

/**
 * Set by the handshake (`user` is replaced when the client refreshes its token), and `joined` when the
 * connection is accepted.
 */
export interface SocketData {
  user: AuthUser;
  site: Site;
  /** The chat rooms this connection joined (`room:join`), whatever its adapter rooms say. */
  joined: JoinedRooms;
}

export type ChatServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ChatNamespace = Namespace<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
export type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
