/**
 * Messages, reactions and history pages, as REST and the realtime events carry them.
 *
 * Every room numbers its messages 1, 2, 3, … with no gaps (`seq`, a decimal string because it is 64-bit in the
 * database). A client that sees a jump in `seq`, or reconnects, asks for what it missed with
 * `GET /v1/rooms/:id/messages?after=<last seq it has>`.
 */

/** Who wrote a message, as shown next to it. */
export interface MessageAuthor {
  id: string;
  displayName: string;
  avatarUrl: string | null;
}

/** One emoji on a message: how many users added it and whether the reader is one of them. */
export interface ReactionSummary {
  emoji: string;
  count: number;
  /** Whether the user who fetched the message reacted with this emoji (`false` in broadcasts). */
  me: boolean;
}

/** A message as every API returns it. Deleted messages stay as tombstones (empty text, `deletedAt` set). */
export interface Message {
  id: string;
  roomId: string;
  /** Position in the room: gap-free and increasing, `"1"` for the first message. */
  seq: string;
  author: MessageAuthor;
  /** The sender's idempotency key: sending again with the same one returns this message. */
  clientMsgId: string;
  /** Up to the server's limit (4000 characters by default); `""` once deleted. */
  text: string;
  /** Id of the message in the same room this one answers, if any. */
  replyTo: string | null;
  createdAt: string;
  editedAt: string | null;
  deletedAt: string | null;
  reactions: ReactionSummary[];
}

/** `POST /v1/rooms/:id/messages` and the `message:send` event (which adds `roomId`). */
export interface SendMessageRequest {
  /**
   * A key the client makes up per message (e.g. a UUID), 1–64 characters of letters, digits, `-`, `_`, `.`, `:`.
   * Retrying with the same key never stores the message twice; reusing it with another text is a `conflict`.
   */
  clientMsgId: string;
  /** 1 to the server's limit (4000 by default) characters; newlines allowed; surrounding whitespace trimmed. */
  text: string;
  /** A message id in the same room. */
  replyTo?: string;
}

/** `PATCH /v1/rooms/:id/messages/:messageId` and `message:edit`: the author only. */
export interface EditMessageRequest {
  text: string;
}

/**
 * A page of history, oldest first. `GET /v1/rooms/:id/messages?before=&after=&limit=`:
 * - no cursor: the latest `limit` messages; `hasMore` means older ones exist (page with `before=`);
 * - `before=<seq>`: the `limit` messages just before it; `hasMore` means still older ones exist;
 * - `after=<seq>`: the `limit` messages just after it; `hasMore` means newer ones exist (page with `after=`).
 */
export interface MessagePage {
  messages: Message[];
  hasMore: boolean;
}

/**
 * A reaction is one emoji character (including sequences such as 👍🏽 or 👨‍👩‍👧) or a short name such as
 * `thumbsup` (lowercase letters, digits, `_`, `+`, `-`; up to 32). A user may put up to 20 on one message.
 */
export interface ReactionRequest {
  emoji: string;
}
