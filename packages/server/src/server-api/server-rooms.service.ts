/**
 * Rooms, members and messages as a site's backend drives them through the server API. Everything goes
 * through the domain services the user API uses (rooms, members, messages), so their checks, broadcasts to
 * the room's sockets and recorded events apply alike; the actor is the site's system user with site-admin
 * powers (system-sender.ts), scoped to the key's site: another site's room is `not_found`, as for users.
 */
import { randomUUID } from 'node:crypto';
import type { Message, MessagePage, Room, RoomMember, RoomRole } from '@synctalk/sdk';
import type { UserRecord } from '../auth/users.repository.js';
import type { DomainDeps } from '../domain-deps.js';
import type { MessagesService } from '../messages/messages.service.js';
import type { HistoryOptions } from '../messages/messages.repository.js';
import type { MembersService } from '../rooms/members.service.js';
import { roomsService, type NewRoom } from '../rooms/rooms.service.js';
import type { Site } from '../sites/sites.repository.js';
import { actingAs, type ServerUsersService } from './server-users.service.js';
import type { SystemSender } from './system-sender.js';

export interface ServerNewRoom extends NewRoom {
  ownerExternalId?: string;
  members?: { externalId: string; role: 'moderator' | 'member' }[];
}

export interface ServerSendInput {
  text: string;
  clientMsgId?: string;
  asExternalId?: string;
  replyTo?: string;
}

export function serverRoomsService(
  deps: DomainDeps,
  services: {
    members: MembersService;
    messages: MessagesService;
    users: ServerUsersService;
    system: SystemSender;
  },
) {
  const rooms = roomsService(deps);
  const { members, messages, users, system } = services;

  /** Adds `user` to the room (any visibility; a ban still refuses), then gives them `role`. */
  async function setMember(
    site: Site,
    roomId: string,
    user: UserRecord,
    role: RoomRole,
  ): Promise<RoomMember> {
    const admin = await system.actor(site);
    // Joining as a site admin would: private rooms too, through the same path (events, broadcasts).
    const joining = { ...actingAs(user), roles: [...new Set([...user.roles, 'ROLE_ADMIN' as const])] };
    await rooms.joinById(site, joining, roomId);
    // The same role again changes nothing, and answers the member.
    return members.setRole(admin, roomId, user.id, role);
  }

  return {
    /**
     * Creates a room owned by `ownerExternalId`'s user, else by the system user, and adds `members`. Every
     * user named must exist (upserted before); nothing is created when one does not.
     */
    async create(site: Site, input: ServerNewRoom): Promise<Room> {
      const [owner] = input.ownerExternalId ? await users.findAll(site, [input.ownerExternalId]) : [];
      const initial = input.members ?? [];
      const people = await users.findAll(
        site,
        initial.map((m) => m.externalId),
      );
      const creator = owner ? actingAs(owner) : await system.actor(site);
      const room = await rooms.create(site, creator, {
        title: input.title,
        description: input.description,
        visibility: input.visibility,
      });
      for (const [i, user] of people.entries()) {
        if (user.id === creator.id) continue;
        await setMember(site, room.id, user, initial[i]!.role);
      }
      return people.length ? rooms.get(await system.actor(site), room.id) : room;
    },

    async update(
      site: Site,
      roomId: string,
      patch: { title?: string; description?: string; visibility?: 'public' | 'private' },
    ): Promise<Room> {
      return rooms.update(await system.actor(site), roomId, patch);
    },

    async remove(site: Site, roomId: string): Promise<void> {
      await rooms.remove(await system.actor(site), roomId);
    },

    /** Adds the user to the room with `role`, or changes their role (`owner` transfers ownership). */
    async setMember(site: Site, roomId: string, externalId: string, role: RoomRole): Promise<RoomMember> {
      return setMember(site, roomId, await users.find(site, externalId), role);
    },

    /** Removes the user from the room (the owner only after ownership moved); they may join again. */
    async removeMember(site: Site, roomId: string, externalId: string): Promise<void> {
      const user = await users.find(site, externalId);
      await members.kick(await system.actor(site), roomId, user.id);
    },

    /**
     * Sends `text` as `asExternalId`'s user (who must be a member allowed to send), else as the system
     * user; through the messages service's `send`, as any send. Without `clientMsgId` one is made up.
     */
    async send(site: Site, roomId: string, input: ServerSendInput): Promise<Message> {
      const user = input.asExternalId
        ? actingAs(await users.find(site, input.asExternalId))
        : await system.actor(site);
      return messages.send({ user, site }, roomId, {
        clientMsgId: input.clientMsgId ?? `srv:${randomUUID()}`,
        text: input.text,
        replyTo: input.replyTo,
      });
    },

    /** History pages of any room of the site, as the user API's. */
    async history(site: Site, roomId: string, query: HistoryOptions): Promise<MessagePage> {
      return messages.history({ user: await system.actor(site), site }, roomId, query);
    },
  };
}

export type ServerRoomsService = ReturnType<typeof serverRoomsService>;
