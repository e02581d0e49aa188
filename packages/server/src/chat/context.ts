/** What the `/chat` event handlers of every domain share. */
import type { ClientEventSchemas } from '@synctalk/sdk/schemas';
import type { DomainDeps } from '../domain-deps.js';
import type { MembersService } from '../rooms/members.service.js';
import type { MessagesService, Actor } from '../messages/messages.service.js';
import type { SendAdmission } from '../messages/send-admission.js';
import type { Logger } from '../platform/logger.js';
import type { PresenceTracker } from '../presence/presence.js';
import type { TypingTracker } from '../presence/typing.js';
import type { RoomHeads } from './room-heads.js';
import type { ChatNamespace, ChatSocket } from './types.js';

/** The domain services the `/chat` namespace serves, built where the server is wired (server.ts). */
export interface ChatServices {
  messages: MessagesService;
  /** The node's bound on sends in progress, shared with the REST route. */
  sendAdmission: SendAdmission;
  members: MembersService;
  presence: PresenceTracker;
  typing: TypingTracker;
}

export interface ChatContext extends ChatServices {
  /** `deps.realtime.emit` reaches a room's connections on every node. */
  deps: DomainDeps;
  logger: Logger;
  nsp: ChatNamespace;
  /** The payload schema of every client event, with the configured limits. */
  schemas: ClientEventSchemas;
  /** The heads of the rooms a connection joined (`room:heads`). */
  heads: RoomHeads;
}

/** The acting user and site of a connection (the user is refreshed by `auth:refresh`). */
export function actorOf(socket: ChatSocket): Actor {
  return { user: socket.data.user, site: socket.data.site };
}
