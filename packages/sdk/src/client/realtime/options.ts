/** The options of a realtime connection and of its calls. */
import type { ManagerOptions, SocketOptions } from 'socket.io-client';
import type { Endpoints } from '../endpoints.js';
import type { Session } from '../session.js';
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
}

/**
 * A send's options.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * await chat.send(roomId, 'Sure!', { replyTo: question.id, signal: controller.signal });
 * ```
 */
export interface SendOptions {
  /** A message id of the same room this one answers. */
  replyTo?: string;
  /** The idempotency key; a new one is made when omitted. */
  clientMsgId?: string;
  /** Stops retrying (the message may still have been stored if a transmission was under way). */
  signal?: AbortSignal;
}
