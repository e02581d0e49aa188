/**
 * The server's side of the message schemas (the wire schemas themselves are `@synctalk/sdk/schemas`): the
 * limits that come from the configuration, and the catch-up sizes of `room:join`.
 */
import type { MessageLimits } from '@synctalk/sdk/schemas';
import type { Config } from '../config.js';

/** `room:join` with `lastSeq` returns at most this many messages after it. */
export const CATCH_UP_LIMIT = 200;
/** `room:join` without `lastSeq` returns the latest this many. */
export const JOIN_LATEST_LIMIT = 50;

/** The configured limits the message schemas take (MESSAGE_MAX_LENGTH). */
export function messageLimits(config: Pick<Config, 'messages'>): MessageLimits {
  return { maxTextLength: config.messages.maxLength };
}
