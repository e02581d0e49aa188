/**
 * The original API's room listing (TypeORM `findAndCount`), the benchmark's baseline and nothing else: plain
 * OFFSET over the table plus COUNT(*), so its cost grows with the offset and with the number of rooms. No
 * route of the server serves it; `bench/rooms.ts` registers one of its own for it. The server's offset mode
 * (the deferred join with the maintained counter) is `roomsRepository().directoryOffset`.
 */
import type { Knex } from 'knex';
import { DIRECTORY, toRoom, type Room, type RoomRow } from '../src/rooms/rooms.repository.js';

export function naiveRoomsRepository(db: Knex) {
  const rooms = () => db<RoomRow>('rooms');

  return {
    /** A page of the site's directory, newest first, by OFFSET, and the COUNT(*) of the whole directory. */
    async findAndCount(
      siteId: string,
      options: { offset: number; limit: number },
    ): Promise<{ rooms: Room[]; total: number }> {
      const [rows, count] = await Promise.all([
        rooms()
          .where('site_id', siteId)
          .whereRaw(DIRECTORY)
          .orderBy('id', 'desc')
          .offset(options.offset)
          .limit(options.limit),
        rooms().where('site_id', siteId).whereRaw(DIRECTORY).count<{ count: string }[]>({ count: '*' }),
      ]);
      return { rooms: (rows as RoomRow[]).map(toRoom), total: Number(count[0]?.count ?? 0) };
    },
  };
}
