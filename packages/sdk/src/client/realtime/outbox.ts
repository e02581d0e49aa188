/**
 * Sends that must reach the server exactly once. Each keeps its `clientMsgId` for life and is sent again —
 * with the same id — until the server acknowledges it: after an acknowledgement timeout, after a reconnect
 * (to whichever node), after a retryable error (`rate_limited` waits `retryAfter`). The server stores one
 * message per `clientMsgId`, so however many times a send goes out, one message results.
 */
import type { ErrorBody } from '../../protocol/errors.js';
import type { SendMessagePayload } from '../../protocol/events.js';
import type { Message } from '../../protocol/messages.js';
import { errorFromBody, isErrorBody, SyncTalkError } from '../errors.js';
import { backoffDelay } from './backoff.js';

export interface OutboxDeps {
  /** Whether a connection is up to send on. */
  connected(): boolean;
  /** Sends on the current connection; resolves with the acknowledgement, rejects without one. */
  transmit(payload: SendMessagePayload): Promise<{ message: Message } | ErrorBody>;
  /** A send was stored (its acknowledgement arrived). */
  stored(message: Message): void;
}

interface Pending {
  payload: SendMessagePayload;
  resolve(message: Message): void;
  reject(error: unknown): void;
  /** Identifies the latest transmission; answers to older ones are ignored. */
  attempt: object | undefined;
  failures: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  done: boolean;
  cleanup(): void;
}

/**
 * The queue of unacknowledged sends.
 *
 * @example
 * ```ts
 * const outbox = new Outbox({ connected, transmit, stored });
 * const message = await outbox.add({ roomId, clientMsgId: newClientMsgId(), text: 'hi' });
 * socket.on('connect', () => outbox.flush());
 * ```
 */
export class Outbox {
  private readonly queue: Pending[] = [];

  constructor(private readonly deps: OutboxDeps) {}

  /** Sends still waiting for their acknowledgement. */
  get size(): number {
    return this.queue.length;
  }

  /**
   * Queues a send; resolves with the stored message, rejects with a non-retryable `SyncTalkError`
   * (`validation_failed`, `forbidden`, `conflict`, …), with `signal`'s reason, or when `failAll` is called.
   */
  add(payload: SendMessagePayload, signal?: AbortSignal): Promise<Message> {
    return new Promise<Message>((resolve, reject) => {
      signal?.throwIfAborted();
      const onAbort = () => this.finish(item, () => reject(signal!.reason));
      const item: Pending = {
        payload,
        resolve,
        reject,
        attempt: undefined,
        failures: 0,
        timer: undefined,
        done: false,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(item);
      this.transmit(item);
    });
  }

  /** A connection is up: sends everything not yet acknowledged, in the order it was queued. */
  flush(): void {
    for (const item of [...this.queue]) {
      clearTimeout(item.timer);
      item.timer = undefined;
      item.attempt = undefined;
      this.transmit(item);
    }
  }

  /** Rejects every queued send with `error` (the connection is closed for good). */
  failAll(error: unknown): void {
    for (const item of [...this.queue]) this.finish(item, () => item.reject(error));
  }

  private transmit(item: Pending): void {
    if (item.done || item.attempt || item.timer || !this.deps.connected()) return;
    const attempt = {};
    item.attempt = attempt;
    this.deps.transmit(item.payload).then(
      (ack) => {
        if (item.attempt !== attempt || item.done) return;
        item.attempt = undefined;
        if (!isErrorBody(ack)) {
          this.finish(item, () => item.resolve(ack.message));
          this.deps.stored(ack.message);
          return;
        }
        const error = errorFromBody(ack);
        if (!error.retryable) {
          this.finish(item, () => item.reject(error));
          return;
        }
        item.failures += 1;
        this.retryLater(
          item,
          error.retryAfter !== undefined ? error.retryAfter * 1000 : backoffDelay(item.failures),
        );
      },
      () => {
        // No answer (timed out, or the connection dropped): the same id goes out again on this connection
        // after a pause, or on the next one.
        if (item.attempt !== attempt || item.done) return;
        item.attempt = undefined;
        item.failures += 1;
        if (this.deps.connected()) this.retryLater(item, backoffDelay(item.failures));
      },
    );
  }

  private retryLater(item: Pending, delayMs: number): void {
    item.timer = setTimeout(() => {
      item.timer = undefined;
      this.transmit(item);
    }, delayMs);
  }

  private finish(item: Pending, settle: () => void): void {
    if (item.done) return;
    item.done = true;
    clearTimeout(item.timer);
    item.cleanup();
    const i = this.queue.indexOf(item);
    if (i >= 0) this.queue.splice(i, 1);
    settle();
  }
}

/** The error pending sends are rejected with when their connection is closed. */
export function connectionClosedError(): SyncTalkError {
  return new SyncTalkError('unavailable', 'The connection was closed before the server acknowledged', {
    status: 0,
  });
}
