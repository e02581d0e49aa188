/** Client events with an acknowledgement, as promises: the result, or a `SyncTalkError`. */
import type { Socket } from 'socket.io-client';
import type { ErrorBody } from '../../protocol/errors.js';
import type { ClientToServerEvents } from '../../protocol/events.js';
import { errorFromBody, isErrorBody, SyncTalkError } from '../errors.js';

/**
 * Events `connection.request` sends; joins, sends and token refreshes have their own managed methods.
 *
 * @example
 * ```ts
 * const event: RequestEvent = 'typing:start';
 * await chat.request(event, { roomId });
 * ```
 */
export type RequestEvent = Exclude<keyof ClientToServerEvents, 'room:join' | 'message:send' | 'auth:refresh'>;

/**
 * The result an event acknowledges with.
 *
 * @example
 * ```ts
 * const read: AckResult<'read:update'> = await chat.request('read:update', { roomId, seq });
 * ```
 */
export type AckResult<E extends keyof ClientToServerEvents> = Parameters<ClientToServerEvents[E]>[1] extends
  ((response: infer R) => void) | undefined
  ? Exclude<R, ErrorBody>
  : never;

interface LooseSocket {
  timeout(ms: number): { emitWithAck(event: string, payload: unknown): Promise<unknown> };
}

/**
 * Emits `event` and resolves with the raw acknowledgement; rejects when none arrives within `timeoutMs` or
 * the connection drops first.
 *
 * @example
 * ```ts
 * const ack = await emitAck(socket, 'room:leave', { roomId }, 10_000);
 * ```
 */
export function emitAck(
  socket: Socket,
  event: string,
  payload: unknown,
  timeoutMs: number,
): Promise<unknown> {
  return (socket as unknown as LooseSocket).timeout(timeoutMs).emitWithAck(event, payload);
}

/**
 * Emits `event` and resolves with its result; throws the error answer as `SyncTalkError`, and
 * `unavailable` (status 0) when no answer arrives.
 *
 * @example
 * ```ts
 * const { lastReadSeq } = await requestAck(socket, 'read:update', { roomId, seq }, 10_000);
 * ```
 */
export async function requestAck<E extends keyof ClientToServerEvents>(
  socket: Socket,
  event: E,
  payload: Parameters<ClientToServerEvents[E]>[0],
  timeoutMs: number,
): Promise<AckResult<E>> {
  let ack: unknown;
  try {
    ack = await emitAck(socket, event, payload, timeoutMs);
  } catch (error) {
    throw new SyncTalkError('unavailable', `No answer to ${event} within ${timeoutMs} ms`, {
      status: 0,
      cause: error,
    });
  }
  if (isErrorBody(ack)) throw errorFromBody(ack);
  return ack as AckResult<E>;
}
