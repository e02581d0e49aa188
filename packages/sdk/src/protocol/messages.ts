/**
 * Messages, reactions and history pages, as REST and the realtime events carry them; inferred from the wire
 * schemas (`@synctalk/sdk/schemas`). Type-only: nothing of zod is loaded at runtime.
 *
 * Every room numbers its messages 1, 2, 3, … with no gaps (`seq`, a decimal string because it is 64-bit in the
 * database). A client that sees a jump in `seq`, or reconnects, asks for what it missed with
 * `GET /v1/rooms/:id/messages?after=<last seq it has>`.
 */
import type { z } from 'zod';
import type {
  editMessageBody,
  messageAuthorResponse,
  messagePageResponse,
  messageResponse,
  reactionBody,
  reactionSummaryResponse,
  sendMessageBody,
} from '../schemas/messages.js';

/**
 * Who wrote a message, as shown next to it.
 *
 * @example
 * ```ts
 * const author: MessageAuthor = message.author;
 * avatar.src = author.avatarUrl ?? '/img/default-avatar.png';
 * avatar.alt = author.displayName;
 * ```
 */
export type MessageAuthor = z.output<typeof messageAuthorResponse>;

/**
 * One emoji on a message: how many users added it and whether the reader is one of them.
 *
 * @example
 * ```ts
 * const chip = (r: ReactionSummary) => `${r.emoji} ${r.count}${r.me ? ' (you)' : ''}`;
 * message.reactions.map(chip); // ['👍 3 (you)', '🎉 1']
 * ```
 */
export type ReactionSummary = z.output<typeof reactionSummaryResponse>;

/**
 * A message as every API returns it. Deleted messages stay as tombstones (empty text, `deletedAt` set).
 *
 * @example
 * ```ts
 * const message: Message = await chat.send('42', 'Hello!');
 * console.log(message.id, message.seq, message.author.displayName); // '1031' '318' 'Ann'
 * ```
 */
export type Message = z.output<typeof messageResponse>;

/**
 * `POST /v1/rooms/:id/messages` and the `message:send` event (which adds `roomId`).
 *
 * @example
 * ```ts
 * const body: SendMessageRequest = { clientMsgId: crypto.randomUUID(), text: 'On my way', replyTo: '1031' };
 * await fetch(`${baseUrl}/v1/rooms/42/messages`, { method: 'POST', headers, body: JSON.stringify(body) });
 * ```
 */
export type SendMessageRequest = z.input<ReturnType<typeof sendMessageBody>>;

/**
 * `PATCH /v1/rooms/:id/messages/:messageId` and `message:edit`: the author only.
 *
 * @example
 * ```ts
 * const body: EditMessageRequest = { text: 'On my way (10 min)' };
 * const message = await client.messages.edit('42', '1031', body.text);
 * ```
 */
export type EditMessageRequest = z.input<ReturnType<typeof editMessageBody>>;

/**
 * A page of history, oldest first. `GET /v1/rooms/:id/messages?before=&after=&limit=`:
 * - no cursor: the latest `limit` messages; `hasMore` means older ones exist (page with `before=`);
 * - `before=<seq>`: the `limit` messages just before it; `hasMore` means still older ones exist;
 * - `after=<seq>`: the `limit` messages just after it; `hasMore` means newer ones exist (page with `after=`).
 *
 * @example
 * ```ts
 * const page: MessagePage = await client.messages.history('42', { after: '300', limit: 100 });
 * page.messages.forEach(render); // oldest first; ask again with the last seq while page.hasMore
 * ```
 */
export type MessagePage = z.output<typeof messagePageResponse>;

/**
 * A reaction is one emoji character (including sequences such as 👍🏽 or 👨‍👩‍👧) or a short name such as
 * `thumbsup` (lowercase letters, digits, `_`, `+`, `-`; up to 32). A user may put up to 20 on one message.
 *
 * @example
 * ```ts
 * const body: ReactionRequest = { emoji: '👍' }; // or a short name: { emoji: 'thumbsup' }
 * await client.messages.react('42', '1031', body.emoji);
 * ```
 */
export type ReactionRequest = z.input<typeof reactionBody>;
