/**
 * The transports of the SDK's browser builds, swapped in for transports.ts (packages/sdk/build/websocket-only.ts):
 * their engine speaks WebSocket only, so `connect({ transports })` naming anything else is refused with
 * `validation_failed` rather than silently connecting some other way.
 */
import { SyncTalkError } from '../../errors.js';
import type { Transport } from './transports.js';

/**
 * The transports to connect with: `['websocket']`; throws `validation_failed` when others are asked for.
 *
 * @example
 * ```ts
 * chooseTransports(undefined); // ['websocket']
 * chooseTransports(['polling']); // throws SyncTalkError validation_failed
 * ```
 */
export function chooseTransports(requested?: readonly Transport[]): Transport[] {
  if (requested && (requested.length === 0 || requested.some((name) => name !== 'websocket'))) {
    throw new SyncTalkError(
      'validation_failed',
      `connect({ transports: ${JSON.stringify(requested)} }): in browsers the SDK connects over WebSocket ` +
        "only; leave transports out or pass ['websocket']",
      { status: 0 },
    );
  }
  return ['websocket'];
}
