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

/** Who wrote a message, as shown next to it. */
export type MessageAuthor = z.output<typeof messageAuthorResponse>;

/** One emoji on a message: how many users added it and whether the reader is one of them. */
export type ReactionSummary = z.output<typeof reactionSummaryResponse>;

/** A message as every API returns it. Deleted messages stay as tombstones (empty text, `deletedAt` set). */
export type Message = z.output<typeof messageResponse>;

/** `POST /v1/rooms/:id/messages` and the `message:send` event (which adds `roomId`). */
export type SendMessageRequest = z.input<ReturnType<typeof sendMessageBody>>;

/** `PATCH /v1/rooms/:id/messages/:messageId` and `message:edit`: the author only. */
export type EditMessageRequest = z.input<ReturnType<typeof editMessageBody>>;

/**
 * A page of history, oldest first. `GET /v1/rooms/:id/messages?before=&after=&limit=`:
 * - no cursor: the latest `limit` messages; `hasMore` means older ones exist (page with `before=`);
 * - `before=<seq>`: the `limit` messages just before it; `hasMore` means still older ones exist;
 * - `after=<seq>`: the `limit` messages just after it; `hasMore` means newer ones exist (page with `after=`).
 */
export type MessagePage = z.output<typeof messagePageResponse>;

/**
 * A reaction is one emoji character (including sequences such as 👍🏽 or 👨‍👩‍👧) or a short name such as
 * `thumbsup` (lowercase letters, digits, `_`, `+`, `-`; up to 32). A user may put up to 20 on one message.
 */
export type ReactionRequest = z.input<typeof reactionBody>;
