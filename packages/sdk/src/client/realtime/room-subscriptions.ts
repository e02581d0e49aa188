/**
 * The rooms a connection receives: for each, its timeline (ordering, de-duplication, catch-up) and its
 * `room:join`, sent when asked and again on every new socket with the last seq delivered. A join refused for
 * good (not a member any more, room gone) drops the room; one that got no answer is tried again. The heads
 * the server reports (`room:heads`) let each timeline fetch what it missed.
 */
import type { Socket } from 'socket.io-client';
import type { ErrorBody } from '../../protocol/errors.js';
import type { RoomHead, RoomJoinResult } from '../../protocol/events.js';
import type { Message } from '../../protocol/messages.js';
import { errorFromBody, isErrorBody, SyncTalkError } from '../errors.js';
import { backoffDelay } from './backoff.js';
import type { JoinedRoom } from './events.js';
import { emitAck } from './requests.js';
import { RoomTimeline, type DeliverySource, type FetchHistory } from './room-timeline.js';

export interface RoomSubscriptionsDeps {
  /** The socket to join on, when connected. */
  socket(): Socket | undefined;
  ackTimeoutMs: number;
  fetchHistory: FetchHistory;
  deliver(message: Message, source: DeliverySource): void;
  joined(joined: JoinedRoom, rejoin: boolean): void;
  report(error: unknown): void;
}

interface RoomState {
  roomId: string;
  timeline: RoomTimeline;
  /** A join answered at least once (so the next one is a rejoin). */
  synced: boolean;
  readonly waiters: { resolve(joined: JoinedRoom): void; reject(error: unknown): void }[];
  retryTimer?: ReturnType<typeof setTimeout>;
}

/**
 * The joined rooms of one connection.
 *
 * @example
 * ```ts
 * const rooms = new RoomSubscriptions({ socket: () => current, ackTimeoutMs, fetchHistory, deliver, joined, report });
 * const joined = await rooms.join('42');
 * socket.on('connect', () => rooms.rejoinAll());
 * socket.on('message:new', (m) => rooms.accept(m, 'live'));
 * ```
 */
export class RoomSubscriptions {
  readonly #rooms = new Map<string, RoomState>();

  readonly #deps: RoomSubscriptionsDeps;
  constructor(deps: RoomSubscriptionsDeps) {
    this.#deps = deps;
  }

  /** Ids of the rooms being received. */
  get ids(): string[] {
    return [...this.#rooms.keys()];
  }

  /** Adds a room (starting after `lastSeq` when given) and joins it as soon as a socket is connected. */
  join(roomId: string, lastSeq: string | undefined): Promise<JoinedRoom> {
    let state = this.#rooms.get(roomId);
    if (!state) {
      const timeline = new RoomTimeline(
        {
          roomId,
          fetchHistory: this.#deps.fetchHistory,
          deliver: this.#deps.deliver,
          onError: this.#deps.report,
        },
        lastSeq ?? null,
      );
      state = { roomId, timeline, synced: false, waiters: [] };
      this.#rooms.set(roomId, state);
    }
    const target = state;
    const joined = new Promise<JoinedRoom>((resolve, reject) => target.waiters.push({ resolve, reject }));
    void this.#sync(target);
    return joined;
  }

  /** Joins every room again (a new socket is connected). */
  rejoinAll(): void {
    for (const state of this.#rooms.values()) void this.#sync(state);
  }

  /** Feeds a message into its room's timeline (ignored for rooms not received). */
  accept(message: Message, source: DeliverySource): void {
    this.#rooms.get(message.roomId)?.timeline.accept([message], source);
  }

  /**
   * The latest seq of rooms, as `room:heads` reports them: each received room that is behind fetches up to
   * its head. Resolves once every one of them is caught up (or its fetch failed; retried in the background).
   */
  heads(heads: readonly RoomHead[]): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const head of Array.isArray(heads) ? heads : []) {
      const state = this.#rooms.get(head?.roomId);
      if (state && typeof head.lastSeq === 'string') pending.push(state.timeline.behind(head.lastSeq));
    }
    return Promise.all(pending).then(() => undefined);
  }

  /** Stops receiving a room; pending joins of it reject with `reason`. Returns whether it was received. */
  forget(roomId: string | undefined, reason: unknown): boolean {
    const state = roomId === undefined ? undefined : this.#rooms.get(roomId);
    if (!state) return false;
    this.#rooms.delete(state.roomId);
    clearTimeout(state.retryTimer);
    state.timeline.close();
    for (const w of state.waiters.splice(0)) w.reject(reason);
    return true;
  }

  /** Forgets every room. */
  forgetAll(reason: unknown): void {
    for (const roomId of this.ids) this.forget(roomId, reason);
  }

  async #sync(state: RoomState): Promise<void> {
    const socket = this.#deps.socket();
    if (!socket?.connected || this.#rooms.get(state.roomId) !== state) return;
    clearTimeout(state.retryTimer);
    const rejoin = state.synced;
    const requested = state.timeline.lastSeq ?? undefined;
    state.timeline.joinStarted();
    let ack: RoomJoinResult | ErrorBody;
    try {
      // Without `requested`, `lastSeq` is left out (JSON drops `undefined`): the latest messages.
      const payload = { roomId: state.roomId, lastSeq: requested };
      ack = (await emitAck(socket, 'room:join', payload, this.#deps.ackTimeoutMs)) as
        RoomJoinResult | ErrorBody;
    } catch {
      state.timeline.joinFailed();
      // No answer: the next socket rejoins; on a live one, try again shortly.
      if (socket === this.#deps.socket() && socket.connected) this.#retry(state);
      return;
    }
    if (this.#rooms.get(state.roomId) !== state) return state.timeline.joinFailed();
    if (isErrorBody(ack)) {
      state.timeline.joinFailed();
      const error = errorFromBody(ack);
      if (error.retryable) return this.#retry(state);
      // Not a member (any more), or the room is gone: stop rejoining it.
      this.forget(state.roomId, error);
      if (rejoin) {
        const message = `Room ${state.roomId}: ${error.message}`;
        this.#deps.report(new SyncTalkError(error.code, message, { details: error.details }));
      }
      return;
    }
    await state.timeline.sync(ack, requested);
    if (this.#rooms.get(state.roomId) !== state) return;
    state.synced = true;
    const joined: JoinedRoom = {
      room: ack.room,
      membership: ack.membership,
      presence: ack.presence,
      lastSeq: state.timeline.lastSeq ?? ack.room.lastSeq,
    };
    // First `joined`, which may give it a newer presence: `joinRoom` then resolves with the same.
    this.#deps.joined(joined, rejoin);
    for (const w of state.waiters.splice(0)) w.resolve(joined);
  }

  #retry(state: RoomState): void {
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(() => void this.#sync(state), backoffDelay(1));
  }
}
