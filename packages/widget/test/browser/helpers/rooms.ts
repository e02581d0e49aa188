/**
 * The usual cast of a widget test: a room owned by someone, and a member with a password who will sign in
 * through the widget (both made with the server's factories).
 */
import { joinRoom, newRoom, newUser, type TestUser } from '../../../../server/test/helpers/factories.js';
import type { TestServer } from '../../../../server/test/helpers/server.js';
import type { Room } from '@synctalk/sdk';

export interface RoomWithMember {
  room: Room;
  owner: TestUser;
  member: TestUser;
}

/** `Eve Lund` → `eve_lund`: the username the member signs in with. */
export function usernameOf(displayName: string): string {
  return displayName.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

export async function roomWithMember(
  node: TestServer,
  options: { title: string; owner: string; member: string },
): Promise<RoomWithMember> {
  const owner = await newUser(node, { displayName: options.owner });
  const member = await newUser(node, { username: usernameOf(options.member), displayName: options.member });
  const room = await newRoom(node, owner, { title: options.title });
  await joinRoom(node, member, room);
  return { room, owner, member };
}
