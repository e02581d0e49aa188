/**
 * Socket event handlers, declared like routes: an event name and an async function returning the
 * acknowledgement. The payload's schema is the event's entry in the SDK's contract map
 * (`clientEventSchemas()` of `@synctalk/sdk/schemas`), so the payload and ack types follow from the name. The wrapper validates (unknown fields rejected by the
 * schemas), answers errors as `{ error: { code, message, details? } }` (the REST shape), never lets a handler
 * throw out of the socket, and copes with a client that sent no acknowledgement callback.
 *
 * Before any of that, `guardEvents` checks every incoming event at no I/O cost, in this order: the
 * connection's event budget (a token bucket, see event-budget.ts), that the event has a handler (else
 * `not_found`), and a place in the connection's bounded queue (see event-queue.ts). A refused event is
 * answered `rate_limited` with `details.retryAfter` (seconds) and never reaches a handler. From its first
 * refusal until it is in good standing again (see event-budget.ts), a connection's accepted events run one
 * at a time instead of `PARALLEL_EVENTS`, so a client that floods gets a smaller share of the database than
 * one that does not. A connection sending faster than it is served (an event arriving while its others
 * wait) has its waiting events start only once it pauses, and the answers to a refusing connection leave in
 * batches (write-coalescing.ts): the server reads one websocket message per turn (socket-server.ts), so a
 * flood is seen event by event, and what it got within its budget still waits when it is cut off. A
 * connection refused `floodDisconnect` times since it was last in good standing is
 * disconnected, and its user may not connect to this node again for a while (flood-penalty.ts, checked in
 * the handshake). An event with an `admission` (a bound shared by the node's connections, e.g. sends in
 * progress) enters it when its turn comes, so what one connection queued holds no place in it meanwhile.
 */
import type { ClientToServerEvents, ErrorBody, ServerToClientEvents } from '@synctalk/sdk';
import type { ClientEventSchemas } from '@synctalk/sdk/schemas';
import type { Socket } from 'socket.io';
import type { z, ZodType } from 'zod';
import type { Config } from '../../config.js';
import { parseOrThrow } from '../api.js';
import { AppError, internalErrorBody } from '../errors.js';
import { toAppError } from '../http.js';
import { withRequestId, type Logger } from '../logger.js';
import { retryAfterSeconds } from '../rate-limit.js';
import { EventBudget } from './event-budget.js';
import { EventQueue } from './event-queue.js';
import type { FloodPenalty } from './flood-penalty.js';
import { holdWrites } from './write-coalescing.js';

export type ClientEvent = keyof ClientToServerEvents;

/**
 * A connection speaking the SDK's event contract. What the connection carries (`socket.data`) and what nodes
 * tell each other are the caller's business, so they are left open.
 */
export type ContractSocket = Socket<ClientToServerEvents, ServerToClientEvents, never, unknown>;

/** The result type an event acknowledges with (from the SDK's event map). */
export type AckResult<E extends ClientEvent> = Parameters<ClientToServerEvents[E]>[1] extends
  ((response: infer R) => void) | undefined
  ? Exclude<R, ErrorBody>
  : never;

/** The payload a handler of `E` receives: what the event's schema parses to. */
export type EventPayload<E extends ClientEvent> = z.output<ClientEventSchemas[E]>;

/** The contract map as `on` reads it: each event's schema parses to that event's payload. */
type EventSchemas = { [K in ClientEvent]: ZodType<EventPayload<K>> };

export interface HandlerOptions {
  /**
   * Run this socket's events of this kind one at a time, in the order they arrived. Sends use it so one
   * client's messages get sequence numbers in the order it sent them.
   */
  serial?: boolean;
  /**
   * A bound shared beyond this connection (e.g. sends in progress on the node), entered when the event's
   * turn comes; a refused event is answered then and never runs.
   */
  admission?: EventAdmission;
}

/** A place for one event until it is answered, or the answer refusing it. */
export interface EventAdmission {
  enter(): { release(): void } | { refusal: ErrorBody };
}

type AnyListener = (...args: unknown[]) => void;
type Ack = (response: unknown) => void;

/** The per-connection limits (SOCKET_EVENT_RATE, SOCKET_EVENT_BURST, SOCKET_QUEUE_MAX, SOCKET_FLOOD_DISCONNECT). */
export type EventLimits = Config['realtime']['socket'];

/**
 * Events of one connection handled at the same time (the others accepted wait their turn): a connection
 * never holds more than this many database connections, however fast it sends.
 */
export const PARALLEL_EVENTS = 4;

/** After a refusal, how long a connection must send nothing refused before its queued events go on. */
const REFUSAL_HOLD_MS = 20;

/** While a connection's events wait for their turn, how long it must send nothing before they start. */
const ARRIVAL_HOLD_MS = 20;

/** How long the answers to a refusing connection are held back to leave together (see `holdWrites`). */
const REFUSAL_WRITE_HOLD_MS = 10;

/** How long a connection cut off for flooding stays open, unread, for its last answers to arrive. */
const FLOOD_DROP_MS = 1000;

/** Per-socket bookkeeping: the event names that have handlers, the bounded queue and the serial lane. */
interface SocketState {
  events: Set<string>;
  counter: number;
  /** Set by `guardEvents`, which admits each event into it. */
  queue: EventQueue | undefined;
  serial: Promise<unknown>;
}

const states = new WeakMap<ContractSocket, SocketState>();

function stateOf(socket: ContractSocket): SocketState {
  let state = states.get(socket);
  if (!state) {
    state = { events: new Set(), counter: 0, queue: undefined, serial: Promise.resolve() };
    states.set(socket, state);
  }
  return state;
}

function ackOf(args: unknown[]): Ack | undefined {
  const last = args[args.length - 1];
  return typeof last === 'function' ? (last as Ack) : undefined;
}

function safeAck(ack: Ack | undefined, response: unknown, logger: Logger): void {
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
  if (appError && !(error instanceof AppError) && appError.code === 'unavailable') {
    logger.warn({ err: error, event }, 'dependency unavailable');
  }
  if (appError) return appError.toBody();
  logger.error({ err: error, event }, 'socket event failed');
  return internalErrorBody();
}

/**
 * Registers `handler` for `event` on `socket`. The payload is validated first with the event's schema from
 * `schemas` (the contract map, built once with the configured limits); the value the handler resolves with
 * is the acknowledgement.
 */
export function on<E extends ClientEvent>(
  socket: ContractSocket,
  logger: Logger,
  event: E,
  schemas: Pick<EventSchemas, E>,
  handler: (payload: EventPayload<E>) => Promise<AckResult<E>>,
  options: HandlerOptions = {},
): void {
  const schema = schemas[event];
  const state = stateOf(socket);
  state.events.add(event);
  const listener: AnyListener = (...args) => {
    const ack = ackOf(args);
    if (ack) args.pop();
    state.counter += 1;
    const requestId = `${socket.id}:${state.counter}`;
    const run = () =>
      withRequestId(requestId, async () => {
        // Events still queued when the connection closed are dropped: nobody is there to answer.
        if (!socket.connected) return;
        // The node-wide bound is entered when the event starts, not while it waits its turn: a connection
        // holds at most as many places as it runs events, however many it queued.
        const place = options.admission?.enter();
        if (place && 'refusal' in place) return safeAck(ack, place.refusal, logger);
        try {
          if (args.length > 1) {
            throw new AppError('validation_failed', `"${event}" takes one payload object`);
          }
          const payload = parseOrThrow(schema, args[0], 'payload');
          safeAck(ack, await handler(payload), logger);
        } catch (error) {
          safeAck(ack, errorBodyOf(error, logger, event), logger);
        } finally {
          place?.release();
        }
      });
    // `guardEvents` admitted the event into the queue; the queue gives its place back when it is done.
    const queued = () => (state.queue ? state.queue.run(run) : run());
    if (options.serial) {
      state.serial = state.serial.then(queued);
    } else {
      void queued();
    }
  };
  (socket as unknown as { on(event: string, listener: AnyListener): void }).on(event, listener);
}

/**
 * The refusal's body, the one `rateLimitedError` would give (built directly: refusals must stay cheap, an
 * `AppError` would capture a stack).
 */
function rateLimited(message: string, retryAfterMs: number): ErrorBody {
  const seconds = retryAfterSeconds(retryAfterMs);
  return {
    error: {
      code: 'rate_limited',
      message: `${message}; retry in ${seconds} s`,
      details: { retryAfter: seconds },
    },
  };
}

/**
 * Checks every event `socket` receives before its handler runs, with no I/O (see the top of this file):
 * budget, known event, queue place. Call it once per connection; handlers registered with `on` before or
 * after it are covered. A connection cut off for flooding puts its `user` (who it authenticated as; the logs
 * name them too) in `penalty`.
 */
export function guardEvents(
  socket: ContractSocket,
  logger: Logger,
  limits: EventLimits,
  penalty: FloodPenalty,
  user: { id: string; siteId: string },
): void {
  const state = stateOf(socket);
  const budget = new EventBudget({
    rate: limits.eventRate,
    burst: limits.eventBurst,
    floodLimit: limits.floodDisconnect,
  });
  const queue = new EventQueue({ max: limits.queueMax, parallel: PARALLEL_EVENTS });
  state.queue = queue;

  const refuse = (ack: Ack | undefined, body: ErrorBody) => {
    // Refusals leave in batches: a flood is read one event at a time (see socket-server.ts).
    holdWrites(socket.conn, REFUSAL_WRITE_HOLD_MS);
    safeAck(ack, body, logger);
    // Over its budget, the connection's accepted events run one at a time, until it is in good standing;
    // none starts while it still sends into an empty budget (so a flood cut off below runs none of them).
    queue.limit(1);
    queue.hold(REFUSAL_HOLD_MS);
    if (!budget.refuse()) return;
    logger.warn(
      { userId: user.id, siteId: user.siteId, refused: budget.refused },
      'socket kept sending over its event budget; disconnected',
    );
    penalty.punish(user.id);
    socket.disconnect(true);
    // The answers and the disconnect packet are still written, but nothing more is read: the rest of the
    // flood stays unread in the kernel (pushing back on the sender), and the TCP connection is dropped once
    // the answers had time to arrive (the websocket closing handshake would need reading).
    const ws = (socket.conn.transport as unknown as { socket?: { pause?(): void; terminate?(): void } })
      .socket;
    if (typeof ws?.pause === 'function' && typeof ws.terminate === 'function') {
      ws.pause();
      setTimeout(() => ws.terminate!(), FLOOD_DROP_MS).unref();
    }
  };

  socket.use((packet, next) => {
    // Packets still arriving after a flood disconnect are dropped unanswered.
    if (!socket.connected) return;
    const args = packet as unknown[];
    const ack = ackOf(args);
    const waitMs = budget.take();
    if (waitMs > 0) {
      return refuse(
        ack,
        rateLimited(
          `Too many events: at most ${limits.eventRate} per second (${limits.eventBurst} at once)`,
          waitMs,
        ),
      );
    }
    if (budget.refused === 0) queue.limit(PARALLEL_EVENTS);
    const event = String(args[0]);
    if (!state.events.has(event)) {
      // Typos and newer clients' events; reserved names (e.g. "error") never reach listeners either.
      safeAck(ack, new AppError('not_found', `Unknown event "${event.slice(0, 60)}"`).toBody(), logger);
      return;
    }
    // Sending faster than it is served, the connection's waiting events start once it pauses: those a flood
    // got within its budget still wait when it is cut off, and are dropped with it.
    if (queue.busy) queue.hold(ARRIVAL_HOLD_MS);
    if (!queue.admit()) {
      return refuse(
        ack,
        rateLimited(`Too many events in progress: at most ${limits.queueMax} at once`, 1000),
      );
    }
    next();
  });
}
