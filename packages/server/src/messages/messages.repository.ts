/**
 * All SQL about messages. Ids and room ids passed in were already resolved against the caller's site.
 *
 * A send is one statement that takes the room's next sequence number with
 * `UPDATE rooms SET last_seq = last_seq + 1 … RETURNING last_seq`, inserts the message and its webhook
 * deliveries (`message.created`, webhooks/outbox.ts) and moves the author's read marker: the row lock serialises the room's sends, so numbers are gap-free (a failed send gives its
 * number back) and commit in order. The same UPDATE takes the message's time (`rooms.last_message_at`,
 * copied into the message's `created_at`), under the lock so it never runs backwards from one seq to the next.
 * The service stores sends in batches (`createMany`, one statement for many sends, see send-batcher.ts) built
 * the same way: each room's row is locked once and its `last_seq` moves by the batch's count. History pages are
 * keyset ranges on the covering index `messages_room_seq (room_id, seq) INCLUDE (id, author_id, created_at)`:
 * the page's ids come from an Index Only Scan and only those rows are read from the table.
 */
import type { Knex } from 'knex';
import type { Message } from '@synctalk/sdk';
import { fetchLimit, takePage } from '../platform/pagination.js';
import { inTransaction } from '../platform/database.js';
import { messageCreatedDeliveriesSql, QUEUED_DELIVERIES_COLUMN, signalQueued } from '../webhooks/outbox.js';

interface MessageRow {
  id: string;
  room_id: string;
  seq: string;
  author_id: string;
  client_msg_id: string;
  text: string;
  reply_to: string | null;
  created_at: Date;
  edited_at: Date | null;
  deleted_at: Date | null;
  author_display_name: string;
  author_avatar_url: string | null;
  /** Set by the send statements: how many webhook deliveries they queued. */
  queued_deliveries?: number;
}

const POSTGRES_UNIQUE_VIOLATION = '23505';
const CLIENT_MSG_ID_CONSTRAINT = 'messages_room_client_msg_id';

function toMessage(row: MessageRow): Message {
  return {
    id: String(row.id),
    roomId: String(row.room_id),
    seq: String(row.seq),
    author: {
      id: String(row.author_id),
      displayName: row.author_display_name,
      avatarUrl: row.author_avatar_url,
    },
    clientMsgId: row.client_msg_id,
    text: row.deleted_at ? '' : row.text,
    replyTo: row.reply_to === null ? null : String(row.reply_to),
    createdAt: row.created_at.toISOString(),
    editedAt: row.edited_at ? row.edited_at.toISOString() : null,
    deletedAt: row.deleted_at ? row.deleted_at.toISOString() : null,
    reactions: [],
  };
}

/** The message columns plus the author's display fields, from a relation named `m`. */
const SELECT_WITH_AUTHOR = `
  SELECT m.id, m.room_id, m.seq, m.author_id, m.client_msg_id, m.text, m.reply_to, m.created_at, m.edited_at,
         m.deleted_at, u.display_name AS author_display_name, u.avatar_url AS author_avatar_url`;

/** SQLSTATE class 23: a unique, foreign-key, check or not-null constraint refused the statement. */
function isIntegrityViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('23');
}

function isClientMsgIdViolation(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string };
  return e?.code === POSTGRES_UNIQUE_VIOLATION && e.constraint === CLIENT_MSG_ID_CONSTRAINT;
}

export type CreateResult = { created: true; message: Message } | { created: false; existing: Message };

/** One send to store: the room (already resolved in the caller's site), its author and content. */
export interface CreateInput {
  roomId: string;
  authorId: string;
  clientMsgId: string;
  text: string;
  replyTo: string | null;
}

/** `(room, clientMsgId)` as one map key; room ids are digits, so the pair is unambiguous. */
const keyOf = (roomId: string, clientMsgId: string) => `${roomId}:${clientMsgId}`;

export interface HistoryOptions {
  /** Only messages with a smaller seq. */
  before?: string;
  /** Only messages with a larger seq; pages then run forward from here. */
  after?: string;
  limit: number;
}

export function messagesRepository(db: Knex) {
  async function selectOne(sql: string, bindings: readonly Knex.Value[], conn: Knex = db) {
    const result = await conn.raw<{ rows: MessageRow[] }>(sql, bindings);
    const row = result.rows[0];
    return row && toMessage(row);
  }

  const findByClientMsgId = (roomId: string, clientMsgId: string, conn: Knex = db) =>
    selectOne(
      `${SELECT_WITH_AUTHOR} FROM messages m JOIN users u ON u.id = m.author_id
        WHERE m.room_id = ? AND m.client_msg_id = ?`,
      [roomId, clientMsgId],
      conn,
    );

  /**
   * Stores a message with the room's next sequence number, and moves the author's read marker to it (one's
   * own message is never unread). When `(roomId, clientMsgId)` already exists, even because a concurrent
   * retry won the race, nothing is written and the stored message is returned instead. Undefined when
   * the room was deleted meanwhile.
   */
  async function create(input: CreateInput): Promise<CreateResult | undefined> {
    try {
      // One statement, so one round trip and its own transaction. The room's row lock is held from the
      // UPDATE to the commit, that is for no longer than the statement: sends to one room are serialised
      // (gap-free seqs, committed in order) without waiting on the network in between.
      // clock_timestamp(), not now(): a send that waited for the lock evaluates it again on the row it
      // then locks, so the room's last message time never moves backwards from one seq to the next.
      // The NOT EXISTS sees the statement's snapshot: a send with this key that committed while this one
      // waited for the lock is caught by the unique index instead (the whole statement is undone).
      const result = await db.raw<{ rows: MessageRow[] }>(
        `WITH r AS (
           UPDATE rooms SET last_seq = last_seq + 1, last_message_at = clock_timestamp()
            WHERE id = ? AND deleted_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM messages WHERE room_id = ? AND client_msg_id = ?)
           RETURNING id, last_seq, last_message_at
         ), m AS (
           INSERT INTO messages (room_id, seq, author_id, client_msg_id, text, reply_to, created_at)
           SELECT r.id, r.last_seq, ?, ?, ?, ?, r.last_message_at FROM r
           RETURNING *
         ), marked AS (
           UPDATE room_members rm SET last_read_seq = GREATEST(rm.last_read_seq, m.seq)
             FROM m
            WHERE rm.room_id = m.room_id AND rm.user_id = m.author_id AND rm.banned_at IS NULL
         ), ${messageCreatedDeliveriesSql('m')}
         ${SELECT_WITH_AUTHOR}, ${QUEUED_DELIVERIES_COLUMN} FROM m JOIN users u ON u.id = m.author_id`,
        [
          input.roomId,
          input.roomId,
          input.clientMsgId,
          input.authorId,
          input.clientMsgId,
          input.text,
          input.replyTo,
        ],
      );
      const row = result.rows[0];
      if (row) {
        if ((row.queued_deliveries ?? 0) > 0) signalQueued(db);
        return { created: true, message: toMessage(row) };
      }
    } catch (error) {
      if (!isClientMsgIdViolation(error)) throw error;
    }
    // Nothing written: either a send with this key stored it first (answer with that one), or the room
    // was deleted.
    const existing = await findByClientMsgId(input.roomId, input.clientMsgId);
    return existing && { created: false, existing };
  }

  /** The stored messages with these keys, by `keyOf`: one query for a whole batch. */
  async function findManyByClientMsgId(inputs: readonly CreateInput[]): Promise<Map<string, Message>> {
    const keys = new Map(inputs.map((i) => [keyOf(i.roomId, i.clientMsgId), i]));
    const result = await db.raw<{ rows: MessageRow[] }>(
      `${SELECT_WITH_AUTHOR}
         FROM (VALUES ${[...keys.values()].map(() => '(?::bigint, ?::text)').join(', ')}) k (room_id, client_msg_id)
         JOIN messages m ON m.room_id = k.room_id AND m.client_msg_id = k.client_msg_id
         JOIN users u ON u.id = m.author_id`,
      [...keys.values()].flatMap((i) => [i.roomId, i.clientMsgId]),
    );
    return new Map(result.rows.map((row) => [keyOf(String(row.room_id), row.client_msg_id), toMessage(row)]));
  }

  /**
   * `create` for many sends at once, in one statement (so one transaction and one commit): each result is
   * the one `create` would give for that input, in the inputs' order. Within a room the inputs are numbered
   * in their order; of several inputs with one `(roomId, clientMsgId)` the first is stored and the others
   * answer it, like a later retry.
   *
   * When the statement breaks an integrity constraint (typically: a concurrent batch on another node stored
   * one of the keys after this statement's snapshot, so the unique index refuses it), nothing was written:
   * each input is then stored on its own with `create`, in order, so the offending one fails alone (its
   * entry is `rejected`). Any other error is thrown: none of the inputs was stored.
   */
  async function createMany(
    inputs: readonly CreateInput[],
  ): Promise<PromiseSettledResult<CreateResult | undefined>[]> {
    type Settled = PromiseSettledResult<CreateResult | undefined>;
    if (inputs.length === 0) return [];
    let rows: MessageRow[];
    try {
      rows = await insertBatch(inputs);
    } catch (error) {
      if (!isIntegrityViolation(error)) throw error;
      const one: Settled[] = [];
      for (const input of inputs) {
        try {
          one.push({ status: 'fulfilled', value: await create(input) });
        } catch (reason) {
          one.push({ status: 'rejected', reason });
        }
      }
      return one;
    }
    const stored = new Map(
      rows.map((row) => [keyOf(String(row.room_id), row.client_msg_id), toMessage(row)]),
    );
    const answered = new Set<string>();
    const settled = new Array<Settled>(inputs.length);
    const skipped: number[] = [];
    inputs.forEach((input, i) => {
      const key = keyOf(input.roomId, input.clientMsgId);
      const message = stored.get(key);
      if (!message) skipped.push(i);
      // The first input with this key is the one stored (the statement keeps the first of each key).
      else if (!answered.has(key)) settled[i] = { status: 'fulfilled', value: { created: true, message } };
      else settled[i] = { status: 'fulfilled', value: { created: false, existing: message } };
      answered.add(key);
    });
    if (skipped.length > 0) {
      // Not stored: the key existed already (answer with that message), or the room was deleted. The batch
      // is committed by now: should this look-up fail, only the sends it was for fail with it.
      try {
        const existing = await findManyByClientMsgId(skipped.map((i) => inputs[i]!));
        for (const i of skipped) {
          const message = existing.get(keyOf(inputs[i]!.roomId, inputs[i]!.clientMsgId));
          settled[i] = { status: 'fulfilled', value: message && { created: false, existing: message } };
        }
      } catch (reason) {
        for (const i of skipped) settled[i] = { status: 'rejected', reason };
      }
    }
    return settled;
  }

  /**
   * The batch statement; the stored messages (with their authors' display fields), in no particular order.
   *
   * - `fresh`: the first input of each key, unless the key is stored already (in the statement's snapshot;
   *   one committed since is caught by the unique index, see `createMany`).
   * - `locked`: the rooms' rows, locked in id order before anything is written. Two batches (on two nodes)
   *   sharing rooms thus lock them in the same order and cannot deadlock; an `UPDATE … FROM` alone would lock
   *   rows in whatever order its join produces them. `NO KEY UPDATE` is the lock the UPDATE takes anyway, so
   *   it does not hold up inserts that only reference the room (joins). Deleted rooms drop out here, also
   *   when deleted while this statement waited for the lock (the row is checked again once locked).
   * - `r`: each room's `last_seq` moves by its count of inputs, and its `last_message_at` to
   *   `clock_timestamp()`, read under the lock (see `create`): the batch's messages of a room share that
   *   time, and a later batch, which waits for this one's commit, takes a later one.
   * - `numbered`: seqs `last_seq - n + 1 … last_seq`, in the inputs' order within each room.
   * - `marked`: each author's read marker moves to their last message of the batch in that room.
   * - `message_deliveries`: the `message.created` webhook deliveries (webhooks/outbox.ts), in the same
   *   transaction as the messages.
   */
  async function insertBatch(inputs: readonly CreateInput[]): Promise<MessageRow[]> {
    const result = await db.raw<{ rows: MessageRow[] }>(
      `WITH input (ord, room_id, author_id, client_msg_id, text, reply_to) AS (
         VALUES ${inputs.map(() => '(?::int, ?::bigint, ?::bigint, ?::text, ?::text, ?::bigint)').join(', ')}
       ), fresh AS (
         SELECT DISTINCT ON (i.room_id, i.client_msg_id) i.*
           FROM input i
          WHERE NOT EXISTS (
                  SELECT 1 FROM messages s WHERE s.room_id = i.room_id AND s.client_msg_id = i.client_msg_id)
          ORDER BY i.room_id, i.client_msg_id, i.ord
       ), locked AS MATERIALIZED (
         SELECT l.id FROM rooms l
          WHERE l.id IN (SELECT room_id FROM fresh) AND l.deleted_at IS NULL
          ORDER BY l.id
            FOR NO KEY UPDATE OF l
       ), counted AS (
         SELECT room_id, count(*) AS n FROM fresh GROUP BY room_id
       ), r AS (
         UPDATE rooms SET last_seq = rooms.last_seq + c.n, last_message_at = clock_timestamp()
           FROM locked l JOIN counted c ON c.room_id = l.id
          WHERE rooms.id = l.id
         RETURNING rooms.id, rooms.last_seq, rooms.last_message_at, c.n
       ), numbered AS (
         SELECT f.room_id, f.author_id, f.client_msg_id, f.text, f.reply_to, r.last_message_at,
                r.last_seq - r.n + row_number() OVER (PARTITION BY f.room_id ORDER BY f.ord) AS seq
           FROM fresh f JOIN r ON r.id = f.room_id
       ), m AS (
         INSERT INTO messages (room_id, seq, author_id, client_msg_id, text, reply_to, created_at)
         SELECT room_id, seq, author_id, client_msg_id, text, reply_to, last_message_at
           FROM numbered ORDER BY room_id, seq
         RETURNING *
       ), marked AS (
         UPDATE room_members rm SET last_read_seq = GREATEST(rm.last_read_seq, a.seq)
           FROM (SELECT room_id, author_id, max(seq) AS seq FROM m GROUP BY room_id, author_id) a
          WHERE rm.room_id = a.room_id AND rm.user_id = a.author_id AND rm.banned_at IS NULL
       ), ${messageCreatedDeliveriesSql('m')}
       ${SELECT_WITH_AUTHOR}, ${QUEUED_DELIVERIES_COLUMN} FROM m JOIN users u ON u.id = m.author_id`,
      inputs.flatMap((input, i) => [
        i,
        input.roomId,
        input.authorId,
        input.clientMsgId,
        input.text,
        input.replyTo,
      ]),
    );
    if ((result.rows[0]?.queued_deliveries ?? 0) > 0) signalQueued(db);
    return result.rows;
  }

  return {
    findByClientMsgId: (roomId: string, clientMsgId: string) => findByClientMsgId(roomId, clientMsgId),

    /** The message `messageId` of room `roomId` (tombstones included). */
    findById(roomId: string, messageId: string): Promise<Message | undefined> {
      return selectOne(
        `${SELECT_WITH_AUTHOR} FROM messages m JOIN users u ON u.id = m.author_id
          WHERE m.id = ? AND m.room_id = ?`,
        [messageId, roomId],
      );
    },

    /** Whether `messageId` is a live (not deleted) message of `roomId`. */
    async isLiveMessage(roomId: string, messageId: string): Promise<boolean> {
      const row = await db('messages')
        .where({ id: messageId, room_id: roomId })
        .whereNull('deleted_at')
        .first('id');
      return row !== undefined;
    },

    create,

    createMany,

    /** Replaces the text of a live message; undefined when it does not exist or was deleted. */
    edit(roomId: string, messageId: string, text: string): Promise<Message | undefined> {
      return selectOne(
        `WITH m AS (
           UPDATE messages SET text = ?, edited_at = now()
            WHERE id = ? AND room_id = ? AND deleted_at IS NULL
           RETURNING *
         )
         ${SELECT_WITH_AUTHOR} FROM m JOIN users u ON u.id = m.author_id`,
        [text, messageId, roomId],
      );
    },

    /**
     * Deletes a message, keeping a tombstone (its seq stays, so clients see no gap): the text is erased and
     * its reactions removed. Undefined when it does not exist or was already deleted. On a repository built
     * over a transaction, runs in it.
     */
    async softDelete(roomId: string, messageId: string): Promise<Message | undefined> {
      // Inside the caller's transaction when given one (the service records the event in it).
      return inTransaction(db, async (trx) => {
        const message = await selectOne(
          `WITH m AS (
             UPDATE messages SET text = '', deleted_at = now()
              WHERE id = ? AND room_id = ? AND deleted_at IS NULL
             RETURNING *
           )
           ${SELECT_WITH_AUTHOR} FROM m JOIN users u ON u.id = m.author_id`,
          [messageId, roomId],
          trx,
        );
        if (message) await trx('reactions').where({ message_id: messageId }).delete();
        return message;
      });
    },

    /**
     * A page of history in ascending seq order, and whether more exist beyond it in the paging direction
     * (older without `after`, newer with it). Reads `fetchLimit(limit)` keys to know.
     */
    async history(
      roomId: string,
      options: HistoryOptions,
    ): Promise<{ messages: Message[]; hasMore: boolean }> {
      const forward = options.after !== undefined;
      const where: string[] = ['room_id = ?'];
      const bindings: Knex.Value[] = [roomId];
      if (options.after !== undefined) {
        where.push('seq > ?');
        bindings.push(options.after);
      }
      if (options.before !== undefined) {
        where.push('seq < ?');
        bindings.push(options.before);
      }
      bindings.push(fetchLimit(options.limit));
      // Keyset step on the covering index, then only the page's rows by primary key.
      const result = await db.raw<{ rows: MessageRow[] }>(
        `${SELECT_WITH_AUTHOR}
           FROM (SELECT id, seq FROM messages WHERE ${where.join(' AND ')}
                  ORDER BY seq ${forward ? 'ASC' : 'DESC'} LIMIT ?) k
           JOIN messages m ON m.id = k.id
           JOIN users u ON u.id = m.author_id
          ORDER BY m.seq ${forward ? 'ASC' : 'DESC'}`,
        bindings,
      );
      const { page, hasMore } = takePage(result.rows, options.limit);
      const messages = page.map(toMessage);
      if (!forward) messages.reverse();
      return { messages, hasMore };
    },
  };
}

export type MessagesRepository = ReturnType<typeof messagesRepository>;
