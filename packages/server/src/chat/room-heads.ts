/**
 * No silent stalls: every ROOM_HEADS_INTERVAL each node tells each of its connections the head (latest
 * `seq`) of every room it joined (`room:heads`), and answers the `room:heads` request the same way. A
 * client whose last message of a room is behind the head lost a broadcast and fetches the rest over REST,
 * so a message acknowledged to anyone reaches every connected member within one interval even when its
 * broadcast never arrived.
 *
 * One timer per node, one query per tick for all of its connections (`readableHeads`: the rooms' heads
 * and, in the same statement, whether each connection's user may still read each room). The rooms are the
 * ones the connection joined (`socket.data.joined`), not its adapter rooms, which is what lets this notice
 * a connection missing from a room's adapter room; for each room the query then finds:
 *
 * - readable, and the connection is not in its adapter room: it is put back (`restore`: the adapter room
 *   and the presence), before the heads are sent, so live messages flow again from then on;
 * - no longer readable (removed or banned, room deleted, whatever the removal broadcast did not reach): the
 *   room is forgotten and left, and not reported.
 *
 * Either is done only if the connection still holds the same join of the room as when the query started
 * (see joined-rooms.ts), so a leave or removal that happened meanwhile is never undone.
 */
import type { RoomHead } from '@synctalk/sdk';
import type { Logger } from '../platform/logger.js';
import { chatRoomName } from '../platform/realtime/room-names.js';
import { isSiteAdmin } from '../rooms/membership.js';
import type { HeadReader, RoomsRepository } from '../rooms/rooms.repository.js';
import type { ChatNamespace, ChatSocket } from './types.js';

export interface RoomHeadsOptions {
  nsp: ChatNamespace;
  rooms: Pick<RoomsRepository, 'readableHeads'>;
  logger: Logger;
  /** ROOM_HEADS_INTERVAL. */
  intervalMs: number;
  /** Puts a connection back into the adapter room (and the presence) of a room it joined and may read. */
  restore(socket: ChatSocket, roomId: string): Promise<void>;
}

export interface RoomHeads {
  /**
   * The heads of the rooms `socket` joined (only those of `roomIds`, when given) that its user may still
   * read, with the same repairs as the heartbeat.
   */
  of(socket: ChatSocket, roomIds?: readonly string[]): Promise<RoomHead[]>;
  /** Does what the timer does every interval, now: every connection of this node gets its heads. */
  beat(): Promise<void>;
  /** Stops the heartbeat (the server is closing). */
  stop(): void;
}

/** One room of one connection, as the connection's join of it was when asked. */
interface Asked {
  socket: ChatSocket;
  roomId: string;
  stamp: number;
}

function asked(socket: ChatSocket, roomIds: readonly string[]): Asked[] {
  const out: Asked[] = [];
  for (const roomId of roomIds) {
    const stamp = socket.data.joined.stamp(roomId);
    if (stamp !== undefined) out.push({ socket, roomId, stamp });
  }
  return out;
}

/** Starts the heartbeat on `nsp`'s connections of this node; `of` answers the `room:heads` request. */
export function roomHeads(options: RoomHeadsOptions): RoomHeads {
  const { nsp, rooms, logger } = options;
  let stopped = false;
  let ticking = false;

  /** Each connection's heads among `list`, after one query; repairs what it finds (see the top). */
  async function resolve(list: Asked[]): Promise<Map<ChatSocket, RoomHead[]>> {
    const readers: HeadReader[] = [];
    const readerOf = new Map<string, number>();
    const which = list.map(({ socket, roomId }) => {
      const { user, site } = socket.data;
      const siteAdmin = isSiteAdmin(user);
      const key = `${roomId}:${user.id}:${site.id}:${siteAdmin}`;
      let n = readerOf.get(key);
      if (n === undefined) {
        n = readers.push({ roomId, userId: user.id, siteId: site.id, siteAdmin }) - 1;
        readerOf.set(key, n);
      }
      return n;
    });
    const heads = await rooms.readableHeads(readers);

    const found = new Map<ChatSocket, RoomHead[]>();
    const restoring: Promise<void>[] = [];
    list.forEach(({ socket, roomId, stamp }, i) => {
      // Gone, or left (and maybe joined again) while the query ran: the answer is not about this join.
      if (!socket.connected || socket.data.joined.stamp(roomId) !== stamp) return;
      const lastSeq = heads[which[i]!];
      const name = chatRoomName(roomId);
      if (lastSeq === undefined) {
        socket.data.joined.delete(roomId);
        if (socket.rooms.has(name)) {
          logger.info(
            { roomId, userId: socket.data.user.id },
            'connection left a room its user may no longer read',
          );
          void Promise.resolve(socket.leave(name)).catch((error: unknown) =>
            logger.warn({ err: error, roomId }, 'leaving a room failed'),
          );
        }
        return;
      }
      if (!socket.rooms.has(name)) {
        logger.warn(
          { roomId, userId: socket.data.user.id, socketId: socket.id },
          'connection was missing from a room it joined; put back',
        );
        restoring.push(
          options
            .restore(socket, roomId)
            .catch((error: unknown) =>
              logger.warn({ err: error, roomId }, 'putting a connection back failed'),
            ),
        );
      }
      let own = found.get(socket);
      if (!own) found.set(socket, (own = []));
      own.push({ roomId, lastSeq });
    });
    await Promise.all(restoring);
    return found;
  }

  async function tick(): Promise<void> {
    const list: Asked[] = [];
    for (const socket of nsp.sockets.values()) {
      // Set when the connection is accepted; absent only for one still in its handshake.
      if (socket.data.joined) list.push(...asked(socket, socket.data.joined.ids));
    }
    if (list.length === 0) return;
    const found = await resolve(list);
    if (stopped) return;
    for (const [socket, heads] of found) if (socket.connected) socket.emit('room:heads', { rooms: heads });
  }

  // A tick still running when the next is due (a slow database) makes that one skip.
  const timer = setInterval(() => {
    if (ticking || stopped) return;
    ticking = true;
    tick()
      .catch((error: unknown) => {
        if (!stopped) logger.warn({ err: error }, 'room heads heartbeat failed');
      })
      .finally(() => {
        ticking = false;
      });
  }, options.intervalMs);
  timer.unref();

  return {
    async of(socket, roomIds) {
      const list = asked(socket, roomIds ? [...new Set(roomIds)] : socket.data.joined.ids);
      if (list.length === 0) return [];
      return (await resolve(list)).get(socket) ?? [];
    },
    beat: tick,
    stop() {
      stopped = true;
      clearInterval(timer);
    },
  };
}
