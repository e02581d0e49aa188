/** HTTP routes of rooms, memberships, moderation and the public directory. All need a signed-in user. */
import type Koa from 'koa';
import type { Api } from '../platform/api.js';
import type { DomainDeps } from '../domain-deps.js';
import { currentUser, requireRole } from '../auth/guard.js';
import { currentSite } from '../sites/site-context.js';
import type { MembersService } from './members.service.js';
import { roomCodeRotation } from './room-code-rotation.js';
import {
  createRoomBody,
  directoryQuery,
  joinByCodeBody,
  memberPageResponse,
  memberParams,
  memberResponse,
  membersQuery,
  muteBody,
  myRoomPageResponse,
  removalBody,
  myRoomResponse,
  pageQuery,
  roomPageResponse,
  roomParams,
  roomResponse,
  updateMemberBody,
  updateRoomBody,
} from '@synctalk/sdk/schemas';
import { roomsService } from './rooms.service.js';

/** Registers the rooms routes; `members` is the service the `/chat` events share (built once, in server.ts). */
export function registerRoomRoutes(api: Api, deps: DomainDeps, members: MembersService): void {
  const rooms = roomsService(deps);
  const codes = roomCodeRotation(deps);
  const tags = ['rooms'];
  const who = (ctx: Koa.Context) => ({ site: currentSite(ctx), user: currentUser(ctx) });

  api.route({
    method: 'post',
    path: '/v1/rooms',
    summary: 'Create a room; the creator becomes its owner',
    tags,
    auth: 'required',
    before: [requireRole('ROLE_USER')],
    body: createRoomBody,
    response: roomResponse,
    status: 201,
    errors: ['validation_failed', 'unauthorized', 'forbidden'],
    handler: (ctx, { body }) => rooms.create(currentSite(ctx), currentUser(ctx), body),
  });

  api.route({
    method: 'get',
    path: '/v1/rooms',
    summary: 'The public room directory: keyset pages (cursor) or offset pages (offset, with total)',
    tags,
    auth: 'required',
    query: directoryQuery,
    response: roomPageResponse,
    errors: ['validation_failed', 'unauthorized'],
    handler: (ctx, { query }) => rooms.directory(currentSite(ctx), currentUser(ctx), query),
  });

  api.route({
    method: 'post',
    path: '/v1/rooms/join',
    summary: 'Join a room by its code',
    tags,
    auth: 'required',
    body: joinByCodeBody,
    response: myRoomResponse,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'rate_limited'],
    handler: (ctx, { body }) => {
      const { site, user } = who(ctx);
      return rooms.joinByCode(site, user, body.code);
    },
  });

  api.route({
    method: 'get',
    path: '/v1/me/rooms',
    summary: 'My rooms, newest first, with my role and unread count',
    tags,
    auth: 'required',
    query: pageQuery,
    response: myRoomPageResponse,
    errors: ['validation_failed', 'unauthorized'],
    handler: (ctx, { query }) => rooms.myRooms(currentUser(ctx), query),
  });

  api.route({
    method: 'get',
    path: '/v1/rooms/:id',
    summary: 'A room (public: any user of the site; private: members and site admins)',
    tags,
    auth: 'required',
    params: roomParams,
    response: roomResponse,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found'],
    handler: (ctx, { params }) => rooms.get(currentUser(ctx), params.id),
  });

  api.route({
    method: 'patch',
    path: '/v1/rooms/:id',
    summary: "Change a room's title, description or visibility (owner or site admin)",
    tags,
    auth: 'required',
    params: roomParams,
    body: updateRoomBody,
    response: roomResponse,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found'],
    handler: (ctx, { params, body }) => rooms.update(currentUser(ctx), params.id, body),
  });

  api.route({
    method: 'delete',
    path: '/v1/rooms/:id',
    summary: 'Delete a room (owner or site admin); it and its messages become inaccessible',
    tags,
    auth: 'required',
    params: roomParams,
    status: 204,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found'],
    handler: (ctx, { params }) => rooms.remove(currentUser(ctx), params.id),
  });

  api.route({
    method: 'post',
    path: '/v1/rooms/:id/join',
    summary: 'Join a public room',
    tags,
    auth: 'required',
    params: roomParams,
    response: myRoomResponse,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found'],
    handler: (ctx, { params }) => {
      const { site, user } = who(ctx);
      return rooms.joinById(site, user, params.id);
    },
  });

  api.route({
    method: 'post',
    path: '/v1/rooms/:id/leave',
    summary: 'Leave a room (an owner hands the room to the longest-standing moderator, else member)',
    tags,
    auth: 'required',
    params: roomParams,
    status: 204,
    errors: ['validation_failed', 'unauthorized', 'not_found', 'conflict'],
    handler: (ctx, { params }) => rooms.leave(currentUser(ctx), params.id),
  });

  api.route({
    method: 'post',
    path: '/v1/rooms/:id/code',
    summary: 'Give the room a new join code; the old one stops working (moderators, owner, site admins)',
    tags,
    auth: 'required',
    params: roomParams,
    response: roomResponse,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found'],
    handler: (ctx, { params }) => codes.rotate(currentUser(ctx), params.id),
  });

  api.route({
    method: 'get',
    path: '/v1/rooms/:id/members',
    summary: 'Members in join order, or the ban list with status=banned (moderators)',
    tags,
    auth: 'required',
    params: roomParams,
    query: membersQuery,
    response: memberPageResponse,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found'],
    handler: (ctx, { params, query }) => members.list(currentUser(ctx), params.id, query),
  });

  api.route({
    method: 'get',
    path: '/v1/rooms/:id/members/:userId',
    summary: 'One member of a room',
    tags,
    auth: 'required',
    params: memberParams,
    response: memberResponse,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found'],
    handler: (ctx, { params }) => members.get(currentUser(ctx), params.id, params.userId),
  });

  api.route({
    method: 'patch',
    path: '/v1/rooms/:id/members/:userId',
    summary: "Change a member's role; role=owner transfers ownership (owner or site admin)",
    tags,
    auth: 'required',
    params: memberParams,
    body: updateMemberBody,
    response: memberResponse,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'conflict'],
    handler: (ctx, { params, body }) =>
      members.setRole(currentUser(ctx), params.id, params.userId, body.role),
  });

  const removals = {
    kick: { fn: members.kick, summary: 'Remove a member (they may rejoin)' },
    ban: {
      fn: members.ban,
      summary: 'Ban a member (removes them; they cannot rejoin; site admins may also ban non-members)',
    },
  } as const;

  for (const [action, { fn, summary }] of Object.entries(removals)) {
    api.route({
      method: 'post',
      path: `/v1/rooms/:id/members/:userId/${action}`,
      summary:
        `${summary} (moderators, owner, site admins). With rotateCode: true the room also gets a new join ` +
        'code and the answer is the room with it; otherwise 204',
      tags,
      auth: 'required',
      params: memberParams,
      body: removalBody,
      response: roomResponse,
      // Without rotateCode the service answers nothing: 204.
      emptyIsNoContent: true,
      errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'conflict'],
      handler: (ctx, { params, body }) => fn(currentUser(ctx), params.id, params.userId, body),
    });
  }

  api.route({
    method: 'post',
    path: '/v1/rooms/:id/members/:userId/mute',
    summary: 'Mute a member for some minutes (moderators, owner, site admins)',
    tags,
    auth: 'required',
    params: memberParams,
    body: muteBody,
    response: memberResponse,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found'],
    handler: (ctx, { params, body }) =>
      members.mute(currentUser(ctx), params.id, params.userId, body.minutes),
  });

  api.route({
    method: 'post',
    path: '/v1/rooms/:id/members/:userId/unmute',
    summary: 'Unmute a member (moderators, owner, site admins)',
    tags,
    auth: 'required',
    params: memberParams,
    response: memberResponse,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'conflict'],
    handler: (ctx, { params }) => members.unmute(currentUser(ctx), params.id, params.userId),
  });

  api.route({
    method: 'post',
    path: '/v1/rooms/:id/members/:userId/unban',
    summary: 'Lift a ban (the user may join again) (moderators, owner, site admins)',
    tags,
    auth: 'required',
    params: memberParams,
    status: 204,
    errors: ['validation_failed', 'unauthorized', 'forbidden', 'not_found', 'conflict'],
    handler: (ctx, { params }) => members.unban(currentUser(ctx), params.id, params.userId),
  });
}
