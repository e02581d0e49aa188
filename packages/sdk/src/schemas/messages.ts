/**
 * zod schemas of messages, reactions and history pages over REST: bodies, params and queries (validation)
 * and the response shapes (the OpenAPI document and the SDK's types). Objects are strict (unknown fields
 * rejected). The text limit is the server's configuration: the factories take it as `maxTextLength`.
 *
 * Every room numbers its messages 1, 2, 3, … with no gaps (`seq`, a decimal string because it is 64-bit in the
 * database). A client that sees a jump in `seq`, or reconnects, asks for what it missed with
 * `GET /v1/rooms/:id/messages?after=<last seq it has>`.
 */
import { z } from 'zod';
import { isReaction } from './emoji.js';
import { id, isoDate, queryInt, text } from './primitives.js';

/**
 * Largest page of `GET /v1/rooms/:id/messages`.
 *
 * @example
 * ```ts
 * const page = await client.messages.history('42', { after: '300', limit: HISTORY_LIMIT_MAX });
 * ```
 */
export const HISTORY_LIMIT_MAX = 100;
/**
 * The page size of `GET /v1/rooms/:id/messages` when `limit` is omitted.
 *
 * @example
 * ```ts
 * historyQuery.parse({}).limit === HISTORY_LIMIT_DEFAULT; // true
 * ```
 */
export const HISTORY_LIMIT_DEFAULT = 50;
/**
 * The server's default message length limit (MESSAGE_MAX_LENGTH), in characters.
 *
 * @example
 * ```ts
 * const schema = messageText({ maxTextLength: MESSAGE_MAX_LENGTH_DEFAULT }); // what messageText() uses
 * ```
 */
export const MESSAGE_MAX_LENGTH_DEFAULT = 4000;

/**
 * The server-configured limits the message schemas depend on.
 *
 * @example
 * ```ts
 * const limits: MessageLimits = { maxTextLength: 2000 }; // the server's MESSAGE_MAX_LENGTH
 * const schemas = clientEventSchemas(limits);
 * ```
 */
export interface MessageLimits {
  /** Longest message text in characters (the server's MESSAGE_MAX_LENGTH; 4000 by default). */
  maxTextLength?: number;
}

const SEQ_PATTERN = /^(0|[1-9]\d{0,17})$/;

/**
 * A sequence number: "0" up to 18 digits (JSON-safe as a string; bigint in SQL).
 *
 * @example
 * ```ts
 * seq.parse('318'); // '318'
 * seq.safeParse('07').success; // false: no leading zero
 * ```
 */
export const seq = z.string().regex(SEQ_PATTERN, 'must be a sequence number (a decimal string)');

/**
 * A key the client makes up per message (e.g. a UUID), 1–64 characters of letters, digits, `-`, `_`, `.`, `:`.
 *
 * @example
 * ```ts
 * clientMsgId.parse(crypto.randomUUID());
 * clientMsgId.safeParse('my message').success; // false: no spaces
 * ```
 */
export const clientMsgId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1-64 letters, digits or . _ : -');

/**
 * A reaction is one emoji character (including sequences such as 👍🏽 or 👨‍👩‍👧) or a short name such as
 * `thumbsup` (lowercase letters, digits, `_`, `+`, `-`; up to 32).
 *
 * @example
 * ```ts
 * emoji.parse('👨‍👩‍👧'); // one emoji (a ZWJ sequence)
 * emoji.safeParse('not an emoji').success; // false
 * ```
 */
export const emoji = z
  .string()
  .max(32, 'must be at most 32 characters')
  .refine(isReaction, 'must be one emoji or a short name like "thumbsup"');

/**
 * A message text: 1 to `maxTextLength` characters, newlines allowed, surrounding whitespace trimmed.
 *
 * @example
 * ```ts
 * messageText({ maxTextLength: 500 }).parse('  hi  '); // 'hi'
 * ```
 */
export function messageText({ maxTextLength = MESSAGE_MAX_LENGTH_DEFAULT }: MessageLimits = {}) {
  return text({ max: maxTextLength, multiline: true });
}

/** The fields of a new message, without the room (`SendMessageRequest`). */
function sendFields(limits: MessageLimits) {
  return {
    /**
     * A key the client makes up per message (e.g. a UUID), 1–64 characters of letters, digits, `-`, `_`, `.`, `:`.
     * Retrying with the same key never stores the message twice; reusing it with another text is a `conflict`.
     */
    clientMsgId,
    /** 1 to the server's limit (4000 by default) characters; newlines allowed; surrounding whitespace trimmed. */
    text: messageText(limits),
    /** A message id in the same room. */
    replyTo: id.optional(),
  };
}

/**
 * `POST /v1/rooms/:id/messages` (the `message:send` event adds `roomId`).
 *
 * @example
 * ```ts
 * const body = sendMessageBody({ maxTextLength: 4000 }).parse(json);
 * ```
 */
export function sendMessageBody(limits: MessageLimits = {}) {
  return z.strictObject(sendFields(limits));
}

/**
 * `PATCH /v1/rooms/:id/messages/:messageId` (and `message:edit`): the author only.
 *
 * @example
 * ```ts
 * const body = editMessageBody({ maxTextLength: 4000 }).parse(json);
 * ```
 */
export function editMessageBody(limits: MessageLimits = {}) {
  return z.strictObject({ text: messageText(limits) });
}

/**
 * `POST` and `DELETE /v1/rooms/:id/messages/:messageId/reactions…`: one emoji (see `emoji`).
 *
 * @example
 * ```ts
 * const { emoji } = reactionBody.parse({ emoji: 'thumbsup' });
 * ```
 */
export const reactionBody = z.strictObject({
  /**
   * One emoji character (including sequences such as 👍🏽 or 👨‍👩‍👧) or a short name such as `thumbsup`
   * (lowercase letters, digits, `_`, `+`, `-`; up to 32). A user may put up to 20 on one message.
   */
  emoji,
});

/**
 * `POST /v1/rooms/:id/read`: the latest `seq` the user has seen.
 *
 * @example
 * ```ts
 * readBody.parse({ seq: '318' });
 * ```
 */
export const readBody = z.strictObject({ seq });

/**
 * The path params of `/v1/rooms/:id/messages/:messageId…`.
 *
 * @example
 * ```ts
 * const { id, messageId } = messageParams.parse({ id: '42', messageId: '1031' });
 * ```
 */
export const messageParams = z.strictObject({ id, messageId: id });
/**
 * The path params of `DELETE /v1/rooms/:id/messages/:messageId/reactions/:emoji`.
 *
 * @example
 * ```ts
 * reactionParams.parse({ id: '42', messageId: '1031', emoji: '👍' });
 * ```
 */
export const reactionParams = z.strictObject({ id, messageId: id, emoji });

/**
 * The query of `GET /v1/rooms/:id/messages?before=&after=&limit=`; `after` must be below `before`.
 *
 * @example
 * ```ts
 * historyQuery.parse({ after: '300', limit: '100' }); // { after: '300', limit: 100 }
 * historyQuery.safeParse({ after: '9', before: '5' }).success; // false
 * ```
 */
export const historyQuery = z
  .strictObject({
    before: seq.optional(),
    after: seq.optional(),
    limit: queryInt({ min: 1, max: HISTORY_LIMIT_MAX, default: HISTORY_LIMIT_DEFAULT }),
  })
  // zod runs this even when `before` or `after` failed their own pattern (the issue is reported there).
  .refine(
    ({ before, after }) =>
      before === undefined ||
      after === undefined ||
      !SEQ_PATTERN.test(before) ||
      !SEQ_PATTERN.test(after) ||
      BigInt(after) < BigInt(before),
    { message: 'after must be smaller than before', path: ['after'] },
  );

/**
 * Who wrote a message, as shown next to it (`MessageAuthor`).
 *
 * @example
 * ```ts
 * messageAuthorResponse.parse({ id: '7', displayName: 'Ann', avatarUrl: null });
 * ```
 */
export const messageAuthorResponse = z.object({
  id: z.string(),
  displayName: z.string(),
  avatarUrl: z.string().nullable(),
});

/**
 * One emoji on a message: how many users added it and whether the reader is one of them (`ReactionSummary`).
 *
 * @example
 * ```ts
 * reactionSummaryResponse.parse({ emoji: '👍', count: 3, me: true });
 * ```
 */
export const reactionSummaryResponse = z.object({
  emoji: z.string(),
  count: z.number().int(),
  /** Whether the user who fetched the message reacted with this emoji (`false` in broadcasts). */
  me: z.boolean(),
});

/**
 * A message as every API returns it (`Message`).
 *
 * @example
 * ```ts
 * socket.on('message:new', (raw) => render(messageResponse.parse(raw)));
 * ```
 */
export const messageResponse = z.object({
  id: z.string(),
  roomId: z.string(),
  /** Position in the room: gap-free and increasing, `"1"` for the first message. */
  seq: z.string(),
  author: messageAuthorResponse,
  /** The sender's idempotency key: sending again with the same one returns this message. */
  clientMsgId: z.string(),
  /** Up to the server's limit (4000 characters by default); `""` once deleted. */
  text: z.string(),
  /** Id of the message in the same room this one answers, if any. */
  replyTo: z.string().nullable(),
  createdAt: isoDate,
  editedAt: isoDate.nullable(),
  deletedAt: isoDate.nullable(),
  reactions: z.array(reactionSummaryResponse),
});

/**
 * A stored message: the answer to a send, an edit or a delete (REST and socket).
 *
 * @example
 * ```ts
 * const { message } = messageEnvelope.parse(await res.json()); // POST /v1/rooms/42/messages
 * ```
 */
export const messageEnvelope = z.object({ message: messageResponse });

/**
 * A page of history, oldest first (`MessagePage`). `GET /v1/rooms/:id/messages?before=&after=&limit=`:
 * - no cursor: the latest `limit` messages; `hasMore` means older ones exist (page with `before=`);
 * - `before=<seq>`: the `limit` messages just before it; `hasMore` means still older ones exist;
 * - `after=<seq>`: the `limit` messages just after it; `hasMore` means newer ones exist (page with `after=`).
 *
 * @example
 * ```ts
 * const { messages, hasMore } = messagePageResponse.parse(await res.json());
 * ```
 */
export const messagePageResponse = z.object({ messages: z.array(messageResponse), hasMore: z.boolean() });

/**
 * A reaction added or removed (`ReactionUpdatedEvent`): the REST answer, the socket ack and the broadcast.
 *
 * @example
 * ```ts
 * const { action, count } = reactionResponse.parse(await res.json()); // 'added', 3
 * ```
 */
export const reactionResponse = z.object({
  roomId: z.string(),
  messageId: z.string(),
  emoji: z.string(),
  /** Who added or removed it. */
  userId: z.string(),
  action: z.enum(['added', 'removed']),
  /** How many users have this emoji on the message now. */
  count: z.number().int(),
});

/**
 * My read marker after `POST /v1/rooms/:id/read` or `read:update` (`ReadUpdateResult`).
 *
 * @example
 * ```ts
 * const { lastReadSeq, unreadCount } = readResponse.parse(await res.json()); // '318', 0
 * ```
 */
export const readResponse = z.object({
  roomId: z.string(),
  /** The stored read marker (never lower than before). */
  lastReadSeq: z.string(),
  unreadCount: z.number().int(),
});
