/**
 * zod schemas of messages: socket event payloads, REST bodies and queries, and the response shapes for the
 * OpenAPI document. Objects are strict (unknown fields rejected). Text limits come from the configuration.
 */
import { z } from 'zod';
import type { Config } from '../config.js';
import { id, queryInt, text } from '../platform/schemas.js';
import { isReaction } from './emoji.js';

/** Largest page of `GET /v1/rooms/:id/messages`. */
export const HISTORY_LIMIT_MAX = 100;
export const HISTORY_LIMIT_DEFAULT = 50;
/** `room:join` with `lastSeq` returns at most this many messages after it. */
export const CATCH_UP_LIMIT = 200;
/** `room:join` without `lastSeq` returns the latest this many. */
export const JOIN_LATEST_LIMIT = 50;
/** Longest mute over the socket (one year), as over REST. */
export const MUTE_MINUTES_MAX = 525_600;

/** A sequence number: "0" up to 18 digits (JSON-safe as a string; bigint in SQL). */
export const seq = z.string().regex(/^(0|[1-9]\d{0,17})$/, 'must be a sequence number (a decimal string)');

export const clientMsgId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1-64 letters, digits or . _ : -');

export const emoji = z
  .string()
  .max(32, 'must be at most 32 characters')
  .refine(isReaction, 'must be one emoji or a short name like "thumbsup"');

const minutes = z.number().int().min(1).max(MUTE_MINUTES_MAX);

/** The schemas that depend on the configured message length. */
export function messageSchemas(config: Pick<Config, 'messages'>) {
  const body = text({ max: config.messages.maxLength, multiline: true });
  const roomId = id;

  return {
    // ---- socket payloads
    roomJoin: z.strictObject({ roomId, lastSeq: seq.optional() }),
    roomRef: z.strictObject({ roomId }),
    send: z.strictObject({ roomId, clientMsgId, text: body, replyTo: id.optional() }),
    edit: z.strictObject({ roomId, messageId: id, text: body }),
    messageRef: z.strictObject({ roomId, messageId: id }),
    reaction: z.strictObject({ roomId, messageId: id, emoji }),
    readUpdate: z.strictObject({ roomId, seq }),
    memberMute: z.strictObject({ roomId, userId: id, minutes }),
    memberRef: z.strictObject({ roomId, userId: id }),
    memberRemove: z.strictObject({ roomId, userId: id, rotateCode: z.boolean().optional() }),

    // ---- REST
    roomParams: z.strictObject({ id }),
    messageParams: z.strictObject({ id, messageId: id }),
    reactionParams: z.strictObject({ id, messageId: id, emoji }),
    historyQuery: z
      .strictObject({
        before: seq.optional(),
        after: seq.optional(),
        limit: queryInt({ min: 1, max: HISTORY_LIMIT_MAX, default: HISTORY_LIMIT_DEFAULT }),
      })
      .refine((q) => q.before === undefined || q.after === undefined || BigInt(q.after) < BigInt(q.before), {
        message: 'after must be smaller than before',
        path: ['after'],
      }),
    sendBody: z.strictObject({ clientMsgId, text: body, replyTo: id.optional() }),
    editBody: z.strictObject({ text: body }),
    reactionBody: z.strictObject({ emoji }),
  };
}

export type MessageSchemas = ReturnType<typeof messageSchemas>;

const isoDate = z.string();

export const messageResponse = z.object({
  id: z.string(),
  roomId: z.string(),
  seq: z.string(),
  author: z.object({ id: z.string(), displayName: z.string(), avatarUrl: z.string().nullable() }),
  clientMsgId: z.string(),
  text: z.string(),
  replyTo: z.string().nullable(),
  createdAt: isoDate,
  editedAt: isoDate.nullable(),
  deletedAt: isoDate.nullable(),
  reactions: z.array(z.object({ emoji: z.string(), count: z.number().int(), me: z.boolean() })),
});

export const messageEnvelope = z.object({ message: messageResponse });

export const messagePageResponse = z.object({ messages: z.array(messageResponse), hasMore: z.boolean() });

export const reactionResponse = z.object({
  roomId: z.string(),
  messageId: z.string(),
  emoji: z.string(),
  userId: z.string(),
  action: z.enum(['added', 'removed']),
  count: z.number().int(),
});
