/** What the `/chat` event handlers of every domain share. */
import type { ClientEventSchemas } from '@synctalk/sdk/schemas';
import type { MembersService } from '../rooms/members.service.js';
import type { MessagesService, Actor } from '../messages/messages.service.js';
import type { Deps } from '../platform/deps.js';
import type { Logger } from '../platform/logger.js';
import type { PresenceTracker } from '../presence/presence.js';
import type { TypingTracker } from '../presence/typing.js';
import type { RoomEmitter } from './broadcast.js';
import type { ChatNamespace, ChatSocket } from './types.js';

export interface ChatContext {
  deps: Deps;
  logger: Logger;
  nsp: ChatNamespace;
  emit: RoomEmitter;
  /** The payload schema of every client event, with the configured limits. */
  schemas: ClientEventSchemas;
  messages: MessagesService;
  members: MembersService;
  presence: PresenceTracker;
  typing: TypingTracker;
}

/** The acting user and site of a connection (the user is refreshed by `auth:refresh`). */
export function actorOf(socket: ChatSocket): Actor {
  return { user: socket.data.user, site: socket.data.site };
}
