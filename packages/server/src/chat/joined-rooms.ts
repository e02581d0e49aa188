/**
 * The chat rooms one connection asked to receive (`room:join`, until `room:leave` or a removal), kept in
 * its `socket.data` apart from the adapter's rooms. The adapter says where broadcasts go; this says where
 * they should go, so the heads heartbeat (chat/room-heads.ts) can report every room the connection joined
 * even when its adapter room lost it, and put it back.
 *
 * Each join gets a new stamp: work that read the set, waited on I/O and then acts on a room checks that the
 * stamp is still the one it read, so a leave (and a later join) in between is never undone.
 */

let stamps = 0;

export class JoinedRooms {
  private readonly rooms = new Map<string, number>();

  /** Ids of the joined rooms. */
  get ids(): string[] {
    return [...this.rooms.keys()];
  }

  get size(): number {
    return this.rooms.size;
  }

  /** Records a (new) join of `roomId`. */
  add(roomId: string): void {
    stamps += 1;
    this.rooms.set(roomId, stamps);
  }

  /** Forgets `roomId` (left, removed, or the room is gone). */
  delete(roomId: string): void {
    this.rooms.delete(roomId);
  }

  /** The stamp of the current join of `roomId`, undefined when not joined. */
  stamp(roomId: string): number | undefined {
    return this.rooms.get(roomId);
  }
}
