/** `client.messages`: history, and the message operations over REST (for code without a connection). */
import type { ReadUpdateResult, ReactionUpdatedEvent } from '../../protocol/events.js';
import type { Message, MessagePage } from '../../protocol/messages.js';
import { segment } from '../http.js';
import { newClientMsgId } from '../ids.js';
import type { CallOptions, RestCall, RestContext } from './call.js';

/**
 * A page of history, oldest first: no cursor gives the latest `limit`; `before` the ones just before that
 * seq; `after` the ones just after it (both: the range between).
 *
 * @example
 * ```ts
 * await client.messages.history(roomId, { after: '120', limit: 100 });
 * ```
 */
export interface HistoryOptions extends CallOptions {
  before?: string;
  after?: string;
  /** 1–100 (default 50). */
  limit?: number;
}

/**
 * Options of `client.messages.send`.
 *
 * @example
 * ```ts
 * await client.messages.send(roomId, 'Deployed', { clientMsgId: `deploy-${buildId}` }); // once per build
 * ```
 */
export interface RestSendOptions extends CallOptions {
  /** The idempotency key; a new one is made when omitted. Retrying with the same key stores one message. */
  clientMsgId?: string;
  /** A message id of the same room this one answers. */
  replyTo?: string;
}

/**
 * `client.messages`.
 *
 * @example
 * ```ts
 * const { messages, hasMore } = await client.messages.history('42');
 * ```
 */
export interface MessagesApi {
  /**
   * A page of a room's history (`GET /v1/rooms/:id/messages`).
   *
   * @example
   * ```ts
   * const latest = await client.messages.history('42');
   * if (latest.hasMore) {
   *   const older = await client.messages.history('42', { before: latest.messages[0]!.seq });
   * }
   * const missed = await client.messages.history('42', { after: lastSeenSeq, limit: 100 });
   * ```
   */
  history(roomId: string, options?: HistoryOptions): Promise<MessagePage>;
  /**
   * Sends a message over REST (`POST /v1/rooms/:id/messages`). Connected clients use `connection.send`,
   * which also retries until the server has it.
   *
   * @example
   * ```ts
   * const message = await client.messages.send('42', 'Deploy finished');
   * ```
   */
  send(roomId: string, text: string, options?: RestSendOptions): Promise<Message>;
  /**
   * Edits one of my messages.
   *
   * @example
   * ```ts
   * await client.messages.edit('42', message.id, 'Deploy finished (v2)');
   * ```
   */
  edit(roomId: string, messageId: string, text: string, options?: CallOptions): Promise<Message>;
  /**
   * Deletes a message (its tombstone stays, with empty text).
   *
   * @example
   * ```ts
   * await client.messages.delete('42', message.id);
   * ```
   */
  delete(roomId: string, messageId: string, options?: CallOptions): Promise<Message>;
  /**
   * Adds my reaction to a message.
   *
   * @example
   * ```ts
   * await client.messages.react('42', message.id, '👍');
   * ```
   */
  react(
    roomId: string,
    messageId: string,
    emoji: string,
    options?: CallOptions,
  ): Promise<ReactionUpdatedEvent>;
  /**
   * Removes my reaction.
   *
   * @example
   * ```ts
   * await client.messages.unreact('42', message.id, '👍');
   * ```
   */
  unreact(
    roomId: string,
    messageId: string,
    emoji: string,
    options?: CallOptions,
  ): Promise<ReactionUpdatedEvent>;
  /**
   * Moves my read marker forward to `seq`.
   *
   * @example
   * ```ts
   * const { unreadCount } = await client.messages.markRead('42', lastShown.seq);
   * ```
   */
  markRead(roomId: string, seq: string, options?: CallOptions): Promise<ReadUpdateResult>;
}

/** Builds `client.messages`. */
export function messagesApi({ authed }: RestContext): MessagesApi {
  const messages = (roomId: string) => `/v1/rooms/${segment(roomId)}/messages`;
  const message = (roomId: string, id: string) => `${messages(roomId)}/${segment(id)}`;
  /** A call answering `{ message }`: the message. */
  const one = async (...args: Parameters<RestCall>) => (await authed<{ message: Message }>(...args)).message;
  return {
    history: (roomId, options = {}) => {
      const { before, after, limit } = options;
      return authed('GET', messages(roomId), options, { before, after, limit });
    },
    send: (roomId, text, options = {}) => {
      const body = { clientMsgId: options.clientMsgId ?? newClientMsgId(), text, replyTo: options.replyTo };
      return one('POST', messages(roomId), options, body);
    },
    edit: (roomId, messageId, text, options) => one('PATCH', message(roomId, messageId), options, { text }),
    delete: (roomId, messageId, options) => one('DELETE', message(roomId, messageId), options),
    react: (roomId, messageId, emoji, options) =>
      authed('POST', `${message(roomId, messageId)}/reactions`, options, { emoji }),
    unreact: (roomId, messageId, emoji, options) =>
      authed('DELETE', `${message(roomId, messageId)}/reactions/${segment(emoji)}`, options),
    markRead: (roomId, seq, options) => authed('POST', `/v1/rooms/${segment(roomId)}/read`, options, { seq }),
  };
}
