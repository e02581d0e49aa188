/**
 * The Engine.IO transports a connection uses, as `connect({ transports })` names them: WebSocket when none
 * are named. This module is for builds with the full socket.io-client (Node), which speaks every transport;
 * the browser builds, whose engine speaks WebSocket only, swap in websocket-transports.ts
 * (packages/sdk/build/websocket-only.ts).
 */
import type { ConnectOptions } from '../options.js';

/** A transport `connect({ transports })` may name. */
export type Transport = NonNullable<ConnectOptions['transports']>[number];

/**
 * The transports to connect with: those asked for, else `['websocket']`.
 *
 * @example
 * ```ts
 * chooseTransports(undefined); // ['websocket']
 * chooseTransports(['polling', 'websocket']); // ['polling', 'websocket']
 * ```
 */
export function chooseTransports(requested?: readonly Transport[]): Transport[] {
  return requested ? [...requested] : ['websocket'];
}
