/** The options of a realtime connection and of its calls. */
import type { ManagerOptions, SocketOptions } from 'socket.io-client';
import type { Endpoints } from '../endpoints.js';
import type { Session } from '../session.js';
import type { KeyValueStorage } from '../storage.js';
import type { FetchHistory } from './room-timeline.js';

/**
 * Options of `client.connect()`.
 *
 * @example
 * ```ts
 * // Node, through a proxy that needs a header; quicker retries.
 * const chat = await client.connect({
 *   reconnect: { initialMs: 250, maxMs: 5_000 },
 *   socketOptions: { extraHeaders: { 'x-proxy-key': key } },
 * });
 * ```
 */
export interface ConnectOptions {
  /** Default `['websocket']`: no sticky sessions needed behind a load balancer. */
  transports?: ('websocket' | 'polling' | 'webtransport')[];
  /** How long to wait for an acknowledgement before sending again / giving up, in ms (default 10 000). */
  ackTimeoutMs?: number;
  /** How long the first connection may take before `connect()` rejects, in ms (default 20 000). */
  connectTimeoutMs?: number;
  /** Reconnect delays: exponential with jitter from `initialMs` (500) up to `maxMs` (10 000). */
  reconnect?: { initialMs?: number; maxMs?: number };
  /** Passed on to socket.io-client (e.g. `extraHeaders` in Node); the options above win. */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
  /**
   * Remember each room's position (the seq of the last message delivered) in the client's `storage`, so that
   * `joinRoom(roomId)` without `lastSeq` — after a reload too — delivers only what came after it. The app then
   * needs its own copy of what came before (or the timeline helper). Needs `createClient({ storage })`.
   * Default `false`.
   */
  resume?: boolean;
}

/**
 * What a connection needs from its client (`client.connect()` provides it).
 *
 * @example
 * ```ts
 * const connection = new Connection({ endpoints, session, site, fetchHistory });
 * await connection.start();
 * ```
 */
export interface ConnectionDeps {
  endpoints: Endpoints;
  session: Session;
  site?: string;
  fetchHistory: FetchHistory;
  options?: ConnectOptions;
  /** Where pending sends (and, with `resume`, room positions) are kept across reloads. */
  storage?: KeyValueStorage;
}

/**
 * A send's options.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const pending = chat.send(roomId, 'Sure!', { replyTo: question.id, signal: controller.signal });
 * controller.abort(); // discards it (unless it was stored already)
 * ```
 */
export interface SendOptions {
  /** A message id of the same room this one answers. */
  replyTo?: string;
  /** The idempotency key; a new one is made when omitted. */
  clientMsgId?: string;
  /**
   * Aborting discards the send, like `discardSend` (the message may still have been stored if a transmission
   * was under way); its promise rejects with the signal's reason.
   */
  signal?: AbortSignal;
}
