/**
 * Sends that must reach the server exactly once, in order. Each keeps its `clientMsgId` for life and is sent
 * again — with the same id — until the server answers it: after an acknowledgement timeout, after a reconnect
 * (to whichever node), after a retryable error (`rate_limited` waits `retryAfter`; an overloaded node's
 * `unavailable` at least that, spread out: see `retryDelay`). The server stores one message per
 * `clientMsgId`, so however many times a send goes out, one message results.
 *
 * In order: each room has at most one send on its way; the next goes once the server answered it. The server
 * numbers a socket's sends in the order they arrive, but a send refused for a while (`rate_limited`, a full
 * event queue) while the next one is accepted would be stored after it; one at a time rules that out. Rooms
 * do not wait for each other.
 *
 * A send the server refuses for a reason no retry fixes (`validation_failed`, `forbidden`, `conflict`, …)
 * becomes `failed` and stays until retried or discarded. With an `OutboxStore`, every send waiting in the
 * outbox is also in storage, so a reload or a crash does not lose it: the next connection restores and sends
 * it.
 */
import { isErrorCode, type ErrorBody } from '../../protocol/errors.js';
import type { SendMessagePayload } from '../../protocol/events.js';
import type { Message } from '../../protocol/messages.js';
import { errorFromBody, isErrorBody, SyncTalkError } from '../errors.js';
import { backoffDelay } from './backoff.js';
import type { OutboxStore, StoredSend } from './outbox-store.js';
import { pendingSend, type OutgoingMessage, type PendingSend, type SendStatus } from './pending-send.js';

export interface OutboxDeps {
  /** Whether a connection is up to send on. */
  connected(): boolean;
  /** Sends on the current connection; resolves with the acknowledgement, rejects without one. */
  transmit(payload: SendMessagePayload): Promise<{ message: Message } | ErrorBody>;
  /** A send was stored (its acknowledgement arrived). */
  stored(message: Message): void;
  /** A send changed: queued, sent, failed, retried or discarded. */
  changed(outgoing: OutgoingMessage): void;
}

interface Waiter {
  resolve(message: Message): void;
  reject(error: unknown): void;
}

/** A send in the queue: what the app sees of it, and how its sending goes. */
interface Entry extends OutgoingMessage {
  status: 'pending' | 'failed';
  /** The `send()` calls waiting for this send's outcome. */
  waiters: Waiter[];
  /** Identifies the transmission on its way; answers to older ones are ignored. */
  attempt?: object;
  failures: number;
  /** A retry after a pause is scheduled. */
  timer?: ReturnType<typeof setTimeout>;
}

/**
 * The queue of sends not yet stored.
 *
 * @example
 * ```ts
 * const outbox = new Outbox({ connected, transmit, stored, changed });
 * const message = await outbox.add({ roomId, clientMsgId: newClientMsgId(), text: 'hi' });
 * socket.on('connect', () => outbox.flush());
 * ```
 */
export class Outbox {
  #queue: Entry[] = [];
  #store: OutboxStore | undefined;
  #closed = false;

  readonly #deps: OutboxDeps;
  constructor(deps: OutboxDeps) {
    this.#deps = deps;
  }

  /** Sends still waiting to be stored (failed ones not counted). */
  get size(): number {
    return this.#queue.filter((e) => e.status === 'pending').length;
  }

  /** The pending and failed sends (of one room, or all), in queue order. */
  list(roomId?: string): OutgoingMessage[] {
    return this.#queue.filter((e) => roomId === undefined || e.roomId === roomId).map((e) => snapshot(e));
  }

  /** The sends as they are stored. */
  stored(): StoredSend[] {
    return this.#queue.map((e) => ({
      ...snapshot(e),
      status: e.status,
      error: e.error && { code: e.error.code, message: e.error.message, details: e.error.details },
    }));
  }

  /**
   * Queues a send and returns it at once. Its promise resolves with the stored message, rejects with a
   * non-retryable `SyncTalkError` (`validation_failed`, `forbidden`, `conflict`, …), with `signal`'s reason
   * (the send is discarded), or when the outbox is closed (`unavailable` for a send made after). A send with
   * the `clientMsgId` of one already queued in the room joins it (a failed one is retried).
   */
  add(payload: SendMessagePayload, signal?: AbortSignal): PendingSend {
    let entry = this.#queue.find((e) => e.clientMsgId === payload.clientMsgId && e.roomId === payload.roomId);
    if (this.#closed || signal?.aborted) {
      // Never queued: closed (a `failed` send) or aborted before it started (a `discarded` one).
      entry = newEntry(payload);
      if (!this.#closed) return pendingSend(snapshot(entry, 'discarded'), Promise.reject(signal!.reason));
      entry.status = 'failed';
      entry.error = connectionClosedError();
      return pendingSend(snapshot(entry), Promise.reject(entry.error));
    }
    if (!entry) {
      entry = newEntry(payload);
      this.#queue.push(entry);
      this.#store?.changed();
      this.#deps.changed(snapshot(entry));
    } else if (entry.status === 'failed') {
      this.#resume(entry);
    }
    const target = entry;
    const outcome = new Promise<Message>((resolve, reject) => {
      const onAbort = () => this.discard(target.clientMsgId, signal!.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const settled = () => signal?.removeEventListener('abort', onAbort);
      target.waiters.push({
        resolve: (message) => {
          settled();
          resolve(message);
        },
        reject: (error) => {
          settled();
          reject(error);
        },
      });
    });
    const result = pendingSend(snapshot(target), outcome);
    this.#pump(target.roomId);
    return result;
  }

  /** Sends a failed send again (same `clientMsgId`). False when there is no failed send with that id. */
  retry(clientMsgId: string): boolean {
    const entry = this.#queue.find((e) => e.clientMsgId === clientMsgId && e.status === 'failed');
    if (entry) {
      this.#resume(entry);
      this.#pump(entry.roomId);
    }
    return !!entry;
  }

  /**
   * Drops a pending or failed send; its `send()` promises reject with `reason`. A transmission already on
   * its way may still be stored. False when there is no such send.
   */
  discard(clientMsgId: string, reason: unknown = discardedError()): boolean {
    const entry = this.#queue.find((e) => e.clientMsgId === clientMsgId);
    if (entry) this.#settle(entry, 'discarded', (w) => w.reject(reason));
    return !!entry;
  }

  /**
   * Keeps the outbox in `store` from now on: `restored` (read from it) go first, in their order, and every
   * change is written.
   */
  persistTo(store: OutboxStore, restored: StoredSend[]): void {
    if (this.#closed) return;
    this.#store = store;
    const own = this.#queue;
    const entries = restored
      .filter((s) => !own.some((e) => e.clientMsgId === s.clientMsgId))
      .map((s): Entry => ({
        ...s,
        error:
          s.error &&
          new SyncTalkError(isErrorCode(s.error.code) ? s.error.code : 'internal', s.error.message, {
            details: s.error.details,
          }),
        waiters: [],
        failures: 0,
      }));
    this.#queue = [...entries, ...own];
    if (own.length > 0) store.changed();
    for (const entry of entries) this.#pump(entry.roomId);
  }

  /** A connection is up: sends, in each room, the first send not yet stored; the others follow in order. */
  flush(): void {
    for (const entry of this.#queue) {
      clearTimeout(entry.timer);
      entry.timer = entry.attempt = undefined;
    }
    for (const entry of this.#queue) this.#pump(entry.roomId);
  }

  /**
   * The connection is closed for good: every waiting `send()` rejects with `error`. Sends stay in storage
   * (the next connection sends them); the outbox is empty from now on.
   */
  close(error: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#store?.close(this.stored());
    for (const entry of this.#queue.splice(0)) {
      clearTimeout(entry.timer);
      entry.attempt = undefined;
      for (const w of entry.waiters.splice(0)) w.reject(error);
    }
  }

  /** Transmits the room's first pending send, unless one of its sends is on its way or waiting to retry. */
  #pump(roomId: string): void {
    if (this.#closed || !this.#deps.connected()) return;
    const ofRoom = this.#queue.filter((e) => e.roomId === roomId);
    const next = ofRoom.find((e) => e.status === 'pending');
    if (next && !ofRoom.some((e) => e.attempt || e.timer)) this.#transmit(next);
  }

  #transmit(entry: Entry): void {
    const attempt = {};
    entry.attempt = attempt;
    const { roomId, clientMsgId, text, replyTo } = entry;
    // Without a `replyTo`, JSON leaves it out.
    this.#deps.transmit({ roomId, clientMsgId, text, replyTo }).then(
      (ack) => {
        if (entry.attempt !== attempt) return;
        entry.attempt = undefined;
        if (!isErrorBody(ack)) {
          this.#deps.stored(ack.message);
          return this.#settle(entry, 'sent', (w) => w.resolve(ack.message), ack.message);
        }
        const error = errorFromBody(ack);
        if (!error.retryable) {
          entry.status = 'failed';
          entry.error = error;
          this.#store?.changed();
          return this.#settle(entry, 'failed', (w) => w.reject(error));
        }
        this.#retryLater(entry, error);
      },
      () => {
        // No answer (timed out, or the connection dropped): the same id goes out again on this connection
        // after a pause, or on the next one (`flush`).
        if (entry.attempt !== attempt) return;
        entry.attempt = undefined;
        if (this.#deps.connected()) this.#retryLater(entry);
      },
    );
  }

  #retryLater(entry: Entry, error?: SyncTalkError): void {
    entry.failures += 1;
    entry.timer = setTimeout(
      () => {
        entry.timer = undefined;
        this.#pump(entry.roomId);
      },
      retryDelay(entry.failures, error),
    );
  }

  /**
   * A send's outcome: `sent` and `discarded` take it out of the outbox (and storage), `failed` keeps it; its
   * waiters are told, the app too, and the room's next send goes.
   */
  #settle(entry: Entry, status: SendStatus, tell: (w: Waiter) => void, message?: Message): void {
    if (status !== 'failed') {
      clearTimeout(entry.timer);
      entry.timer = entry.attempt = undefined;
      this.#queue.splice(this.#queue.indexOf(entry), 1);
      this.#store?.removed(entry.clientMsgId);
    }
    entry.failures = 0;
    entry.waiters.splice(0).forEach(tell);
    this.#deps.changed({ ...snapshot(entry, status), ...(message ? { message } : {}) });
    this.#pump(entry.roomId);
  }

  #resume(entry: Entry): void {
    entry.status = 'pending';
    entry.error = undefined;
    this.#store?.changed();
    this.#deps.changed(snapshot(entry));
  }
}

/**
 * How long a send waits before going out again after its `failures`-th failure in a row (`error`: the
 * retryable error it was refused with, if it was answered).
 *
 * `rate_limited` says when this user's window ends, and only this user's clients wait for it: exactly that
 * long. Any other refusal with `retryAfter` (an overloaded node's `unavailable`) reached many clients in the
 * same instant: waiting exactly `retryAfter` would bring them all back in the same instant too. So they wait
 * at least `retryAfter` and up to twice that, doubling with each refusal in a row (capped at twice
 * `retryAfter` plus 10 s), which spreads them out and lowers the load while the node stays overloaded. Without `retryAfter`: the exponential backoff with jitter.
 */
function retryDelay(failures: number, error?: SyncTalkError): number {
  const ms = (error?.retryAfter ?? 0) * 1000;
  if (!ms) return backoffDelay(failures);
  // The cap is over twice `retryAfter`: the random half of the wait then never goes below `retryAfter`.
  return error!.code === 'rate_limited' ? ms : backoffDelay(failures, { initialMs: ms, maxMs: 2 * ms + 1e4 });
}

function newEntry({ roomId, clientMsgId, text, replyTo }: SendMessagePayload): Entry {
  return {
    clientMsgId,
    roomId,
    text,
    ...(replyTo !== undefined ? { replyTo } : {}),
    status: 'pending',
    createdAt: new Date().toISOString(),
    waiters: [],
    failures: 0,
  };
}

/** The app's view of `entry`, as `status` (default: its own). */
function snapshot(entry: Entry, status: SendStatus = entry.status): OutgoingMessage {
  const { clientMsgId, roomId, text, replyTo, createdAt, error } = entry;
  return {
    clientMsgId,
    roomId,
    text,
    ...(replyTo !== undefined ? { replyTo } : {}),
    status,
    createdAt,
    ...(status === 'failed' && error ? { error } : {}),
  };
}

/** The error pending sends are rejected with when their connection is closed. */
export function connectionClosedError(): SyncTalkError {
  return new SyncTalkError('unavailable', 'The connection was closed before the server acknowledged', {
    status: 0,
  });
}

/** The error a discarded send's promise rejects with (an `AbortError`, like an aborted `fetch`). */
export function discardedError(): Error {
  const error = new Error('The send was discarded');
  error.name = 'AbortError';
  return error;
}
