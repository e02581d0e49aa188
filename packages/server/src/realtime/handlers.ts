/**
 * Socket event handlers, declared like routes: an event name, a zod schema for its one payload, and an
 * async function returning the acknowledgement. The wrapper validates (unknown fields rejected by the
 * schemas), answers errors as `{ error: { code, message, details? } }` (the REST shape), never lets a handler
 * throw out of the socket, and copes with a client that sent no acknowledgement callback.
 */
import type { ClientToServerEvents, ErrorBody } from '@synctalk/sdk';
import type { ZodType } from 'zod';
import { parseOrThrow } from '../platform/api.js';
import { AppError, internalErrorBody } from '../platform/errors.js';
import { toAppError } from '../platform/http.js';
import { withRequestId, type Logger } from '../platform/logger.js';
import type { ChatSocket } from './types.js';

export type ClientEvent = keyof ClientToServerEvents;

/** The result type an event acknowledges with (from the SDK's event map). */
export type AckResult<E extends ClientEvent> = Parameters<ClientToServerEvents[E]>[1] extends
  ((response: infer R) => void) | undefined
  ? Exclude<R, ErrorBody>
  : never;

export interface HandlerOptions {
  /**
   * Run this socket's events of this kind one at a time, in the order they arrived. Sends use it so one
   * client's messages get sequence numbers in the order it sent them.
   */
  serial?: boolean;
}

type AnyListener = (...args: unknown[]) => void;

/** Per-socket bookkeeping: the serial queue and the event names that have handlers. */
interface SocketState {
  queue: Promise<unknown>;
  events: Set<string>;
  counter: number;
}

const states = new WeakMap<ChatSocket, SocketState>();

function stateOf(socket: ChatSocket): SocketState {
  let state = states.get(socket);
  if (!state) {
    state = { queue: Promise.resolve(), events: new Set(), counter: 0 };
    states.set(socket, state);
  }
  return state;
}

function safeAck(ack: ((response: unknown) => void) | undefined, response: unknown, logger: Logger): void {
  if (!ack) return;
  try {
    ack(response);
  } catch (error) {
    logger.warn({ err: error }, 'socket acknowledgement failed');
  }
}

/** Turns anything a handler threw into the error body sent back, logging unexpected errors. */
export function errorBodyOf(error: unknown, logger: Logger, event: string): ErrorBody {
  const appError = toAppError(error);
  if (appError) return appError.toBody();
  logger.error({ err: error, event }, 'socket event failed');
  return internalErrorBody();
}

/**
 * Registers `handler` for `event` on `socket`. The payload is validated with `schema` first; the value the
 * handler resolves with is the acknowledgement.
 */
export function on<E extends ClientEvent, P>(
  socket: ChatSocket,
  logger: Logger,
  event: E,
  schema: ZodType<P>,
  handler: (payload: P) => Promise<AckResult<E>>,
  options: HandlerOptions = {},
): void {
  const state = stateOf(socket);
  state.events.add(event);
  const listener: AnyListener = (...args) => {
    const ack =
      typeof args[args.length - 1] === 'function' ? (args.pop() as (response: unknown) => void) : undefined;
    state.counter += 1;
    const requestId = `${socket.id}:${state.counter}`;
    const run = () =>
      withRequestId(requestId, async () => {
        try {
          if (args.length > 1) {
            throw new AppError('validation_failed', `"${event}" takes one payload object`);
          }
          const payload = parseOrThrow(schema, args[0], 'payload');
          safeAck(ack, await handler(payload), logger);
        } catch (error) {
          safeAck(ack, errorBodyOf(error, logger, event), logger);
        }
      });
    if (options.serial) {
      const next = state.queue.then(run);
      state.queue = next;
    } else {
      void run();
    }
  };
  (socket as unknown as { on(event: string, listener: AnyListener): void }).on(event, listener);
}

/** Answers events without a handler (typos, newer clients) with `not_found` when they expect an ack. */
export function rejectUnknownEvents(socket: ChatSocket, logger: Logger): void {
  const state = stateOf(socket);
  socket.onAny((event: string, ...args: unknown[]) => {
    if (state.events.has(event)) return;
    const ack = args[args.length - 1];
    if (typeof ack === 'function') {
      safeAck(
        ack as (response: unknown) => void,
        new AppError('not_found', `Unknown event "${String(event).slice(0, 60)}"`).toBody(),
        logger,
      );
    }
  });
}
