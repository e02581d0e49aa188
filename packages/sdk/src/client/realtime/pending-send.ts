/** A send as the app sees it: `OutgoingMessage` snapshots, and the `PendingSend` that `chat.send` returns. */
import type { Message } from '../../protocol/messages.js';
import type { SyncTalkError } from '../errors.js';

/**
 * Where a send stands:
 * - `pending`: queued, or on its way; sent again (same `clientMsgId`) until the server answers;
 * - `sent`: stored (`message` is the stored message); it leaves the outbox;
 * - `failed`: the server refused it for a reason no retry fixes (`error`); it stays in the outbox (and in
 *   storage) until `retrySend` or `discardSend`;
 * - `discarded`: removed with `discardSend` (or its `signal` aborted); it leaves the outbox. Only
 *   `send:status` events carry it.
 *
 * @example
 * ```ts
 * const label: Record<SendStatus, string> = { pending: '…', sent: '✓', failed: '!', discarded: '' };
 * ```
 */
export type SendStatus = 'pending' | 'sent' | 'failed' | 'discarded';

/**
 * A send, as a snapshot: `chat.outgoing()` lists them, and every `send:status` event carries a new one.
 *
 * @example
 * ```ts
 * chat.on('send:status', (o: OutgoingMessage) => {
 *   if (o.status === 'failed') showRetry(o.clientMsgId, o.error!.message);
 * });
 * ```
 */
export interface OutgoingMessage {
  /** The send's idempotency key: the server stores one message per `clientMsgId` and room. */
  clientMsgId: string;
  roomId: string;
  text: string;
  /** The message it answers, if any. */
  replyTo?: string;
  status: SendStatus;
  /** When the send was queued (ISO 8601, the local clock). */
  createdAt: string;
  /** The stored message, once `status` is `sent`. */
  message?: Message;
  /** Why the server refused it, once `status` is `failed`. */
  error?: SyncTalkError;
}

/**
 * What `chat.send` returns at once: the queued send (its fields as when it was queued: `status: 'pending'`),
 * and a promise of the stored message. Await it, or don't: it resolves with the stored `Message`, or rejects
 * with the `SyncTalkError` the server refused it with (or `unavailable` when the connection is closed
 * first); a send nobody awaits never raises an unhandled rejection, its outcome comes as `send:status`.
 *
 * @example
 * ```ts
 * const pending = chat.send(roomId, 'On my way');
 * render({ id: pending.clientMsgId, text: pending.text, status: pending.status }); // at once
 * const message = await pending;                                                   // once stored
 * ```
 */
export interface PendingSend extends OutgoingMessage, Promise<Message> {}

/** Each `PendingSend`'s outcome, kept off the object so that it spreads into plain `OutgoingMessage` fields. */
const outcomes = new WeakMap<object, Promise<Message>>();

/** The promise side of every `PendingSend` (its prototype): the fields are the object's own. */
const promiseSide: Omit<PendingSend, keyof OutgoingMessage> = {
  then(onfulfilled, onrejected) {
    return outcomes.get(this)!.then(onfulfilled, onrejected);
  },
  catch(onrejected) {
    return outcomes.get(this)!.catch(onrejected);
  },
  finally(onfinally) {
    return outcomes.get(this)!.finally(onfinally);
  },
  [Symbol.toStringTag]: 'PendingSend',
};

/**
 * The `PendingSend` of a send whose state is `snapshot` and whose outcome `outcome` settles with.
 *
 * @example
 * ```ts
 * const pending = pendingSend(outbox.snapshot(entry), new Promise((resolve, reject) => waiters.push({ resolve, reject })));
 * ```
 */
export function pendingSend(snapshot: OutgoingMessage, outcome: Promise<Message>): PendingSend {
  // Rejections reach whoever calls then/catch/finally; nobody listening is not an error.
  outcome.catch(() => undefined);
  const pending = Object.assign(Object.create(promiseSide) as PendingSend, snapshot);
  outcomes.set(pending, outcome);
  return pending;
}
