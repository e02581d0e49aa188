/** `client.messages`: history, and the message operations over REST (for code without a connection). */
import type { ReadUpdateResult, ReactionUpdatedEvent } from '../../protocol/events.js';
import type { Message, MessagePage } from '../../protocol/messages.js';
import { segment } from '../http.js';
import { newClientMsgId } from '../ids.js';
import type { CallOptions, RestContext } from './call.js';

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
export function messagesApi(ctx: RestContext): MessagesApi {
  const messages = (roomId: string) => `/v1/rooms/${segment(roomId)}/messages`;
  const message = (roomId: string, id: string) => `${messages(roomId)}/${segment(id)}`;
  return {
    history: (roomId, { signal, before, after, limit } = {}) =>
      ctx.authed({ method: 'GET', path: messages(roomId), query: { before, after, limit }, signal }),
    async send(roomId, text, { signal, clientMsgId, replyTo } = {}) {
      const body = { clientMsgId: clientMsgId ?? newClientMsgId(), text, replyTo };
      const res = await ctx.authed<{ message: Message }>({
        method: 'POST',
        path: messages(roomId),
        body,
        signal,
      });
      return res.message;
    },
    async edit(roomId, messageId, text, options) {
      const res = await ctx.authed<{ message: Message }>({
        method: 'PATCH',
        path: message(roomId, messageId),
        body: { text },
        signal: options?.signal,
      });
      return res.message;
    },
    async delete(roomId, messageId, options) {
      const res = await ctx.authed<{ message: Message }>({
        method: 'DELETE',
        path: message(roomId, messageId),
        signal: options?.signal,
      });
      return res.message;
    },
    react: (roomId, messageId, emoji, options) =>
      ctx.authed({
        method: 'POST',
        path: `${message(roomId, messageId)}/reactions`,
        body: { emoji },
        signal: options?.signal,
      }),
    unreact: (roomId, messageId, emoji, options) =>
      ctx.authed({
        method: 'DELETE',
        path: `${message(roomId, messageId)}/reactions/${segment(emoji)}`,
        signal: options?.signal,
      }),
    markRead: (roomId, seq, options) =>
      ctx.authed({
        method: 'POST',
        path: `/v1/rooms/${segment(roomId)}/read`,
        body: { seq },
        signal: options?.signal,
      }),
  };
}
