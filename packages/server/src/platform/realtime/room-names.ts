/**
 * Socket.IO room names for chat rooms and users. The Redis adapters treat a room name of exactly 20
 * characters as a socket id (that is the length of Socket.IO's ids) and route its broadcasts differently, so
 * a chat room whose name happened to be 20 characters long would silently miss nodes. Every name here has a
 * fixed width of 24: a prefix plus the id zero-padded to 19 digits (the most a PostgreSQL bigint has).
 */

const WIDTH = 19;
const ROOM_PREFIX = 'room:';
const USER_PREFIX = 'user:';

/** Socket.IO ids are 20 characters; the adapters route any 20-character room as one. */
export const SOCKET_ID_LENGTH = 20;

function name(prefix: string, id: string): string {
  if (!/^\d{1,19}$/.test(id)) throw new Error(`not a numeric id: ${id}`);
  return prefix + id.padStart(WIDTH, '0');
}

function parse(prefix: string, room: string): string | undefined {
  if (room.length !== prefix.length + WIDTH || !room.startsWith(prefix)) return undefined;
  const digits = room.slice(prefix.length);
  if (!/^\d+$/.test(digits)) return undefined;
  return digits.replace(/^0+(?=\d)/, '');
}

/** The Socket.IO room of chat room `roomId` (its members' connections that sent `room:join`). */
export function chatRoomName(roomId: string): string {
  return name(ROOM_PREFIX, roomId);
}

/** The Socket.IO room holding every connection of user `userId`. */
export function userRoomName(userId: string): string {
  return name(USER_PREFIX, userId);
}

/** The chat room id of a Socket.IO room name, or undefined when it is not a chat room. */
export function roomIdOf(room: string): string | undefined {
  return parse(ROOM_PREFIX, room);
}
