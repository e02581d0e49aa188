/**
 * What can happen to messages, for both doors in (socket events and REST): send, edit, delete, react,
 * history, and read markers. Every operation resolves the room within the caller's site, checks the
 * membership with the rooms domain's `assertRoomPermission`, writes, and only after the commit broadcasts to
 * the room's connections through the adapter.
 *
 * The send path: validate (schemas) → room permission `send` (membership, ban, mute) → `assertCanChat`
 * (site policy) → an idempotent replay answers at once → per-user rate limit shared by all nodes → one
 * transaction (next seq + insert), shared with the node's other sends waiting at that moment (group
 * commit, send-batcher.ts) → commit → the caller acks → `message:new` to the room.
 *
 * Every write of one's own (send, edit, delete of one's own message, reaction added or removed) passes the
 * site policy `assertCanChat` against the site's current settings: a connection's site is the one of its
 * handshake, and switching `verifiedOnly` on must stop writes on connections already open.
 *
 * Edits, deletions and reaction changes record their webhook events (`message.updated`, `message.deleted`,
 * `reaction.updated`) in the transaction of the change, so one never commits without the other.
 */
import type { Message, MessagePage, ReactionUpdatedEvent, ReadUpdateResult } from '@synctalk/sdk';
import { assertCanChat } from '../auth/policy.js';
import type { AuthUser } from '../auth/tokens.js';
import type { Deps } from '../platform/deps.js';
import { AppError } from '../platform/errors.js';
import { rateLimiter, type RateLimit } from '../platform/rate-limit.js';
import {
  assertRoomPermission,
  canInRoom,
  membershipRepository,
  type Membership,
} from '../rooms/membership.js';
import type { RoomRealtime } from '../rooms/room-events.js';
import { roomsRepository, type Room } from '../rooms/rooms.repository.js';
import { unreadCount } from '../rooms/room-views.js';
import type { Site } from '../sites/sites.repository.js';
import type { SitesService } from '../sites/sites.service.js';
import {
  messagesRepository,
  type CreateInput,
  type CreateResult,
  type HistoryOptions,
} from './messages.repository.js';
import { MAX_REACTIONS_PER_USER, reactionsRepository } from './reactions.repository.js';
import { CATCH_UP_LIMIT, JOIN_LATEST_LIMIT } from './messages.schemas.js';
import { sendBatcher } from './send-batcher.js';
import { recordEvents } from '../webhooks/outbox.js';

/** Who is acting: the authenticated user and the site (tenant) of the request or connection. */
export interface Actor {
  user: AuthUser;
  site: Site;
}

export interface SendInput {
  clientMsgId: string;
  text: string;
  replyTo?: string;
}

/** The stored message answers a retry only when it is the same message: same author, text and reply. */
function assertSameMessage(existing: Message, actor: Actor, input: SendInput): void {
  if (existing.author.id !== actor.user.id) {
    throw new AppError('conflict', 'clientMsgId is already used by another message in this room', {
      clientMsgId: input.clientMsgId,
    });
  }
  // A message deleted since it was sent still answers its retry (as the tombstone).
  if (existing.deletedAt) return;
  if (existing.text !== input.text || existing.replyTo !== (input.replyTo ?? null)) {
    throw new AppError('conflict', 'clientMsgId reused with different content', {
      clientMsgId: input.clientMsgId,
      messageId: existing.id,
    });
  }
}

export function messagesService(
  deps: Deps & { realtime: RoomRealtime; sites: Pick<SitesService, 'cached'> },
) {
  const { realtime } = deps;
  const repo = messagesRepository(deps.db);
  // Sends waiting for a commit at the same moment are stored in one statement (see send-batcher.ts).
  const sends = sendBatcher<CreateInput, CreateResult | undefined>((inputs) => repo.createMany(inputs));
  const reactions = reactionsRepository(deps.db);
  const rooms = roomsRepository(deps.db);
  const members = membershipRepository(deps.db);
  const sites = deps.sites.cached;
  const { rateLimit, rateWindowMs } = deps.config.messages;

  /**
   * Inside `trx`: records `message.updated` / `message.deleted` for `message` as stored now. Its reactions
   * are read in the transaction, without a viewer (`me` is false); a tombstone has none.
   */
  async function recordMessageEvent(
    trx: Deps['db'],
    site: Site,
    type: 'message.updated' | 'message.deleted',
    message: Message,
  ): Promise<void> {
    const reactions = message.deletedAt
      ? []
      : ((await reactionsRepository(trx).summaries([message.id], null)).get(message.id) ?? []);
    await recordEvents(trx, [
      {
        site,
        type,
        roomId: message.roomId,
        data: { roomId: message.roomId, message: { ...message, reactions } },
      },
    ]);
  }

  /** The room in the actor's site, and their membership (banned rows included, for the check). */
  async function roomFor(actor: Actor, roomId: string): Promise<{ room: Room; membership?: Membership }> {
    const found = await members.findRoomFor(actor.site.id, roomId, actor.user.id);
    if (!found) throw new AppError('not_found', 'No such room');
    return found;
  }

  /** The site write policy (`assertCanChat`) against the actor's site as it is now. */
  async function assertWriter(actor: Actor): Promise<void> {
    assertCanChat((await sites.findById(actor.site.id)) ?? actor.site, actor.user);
  }

  async function authorize(actor: Actor, roomId: string, action: 'read' | 'send') {
    const found = await roomFor(actor, roomId);
    assertRoomPermission(found.membership, action, actor.user, found.room);
    return found;
  }

  const limiter = rateLimiter(deps);
  const writeLimit = (kind: 'messages' | 'reactions'): RateLimit => ({
    name: `ratelimit:${kind}`,
    max: rateLimit,
    windowMs: rateWindowMs,
    unavailable: 'Sending is temporarily unavailable; try again shortly',
  });
  const writeLimits = { messages: writeLimit('messages'), reactions: writeLimit('reactions') };

  /**
   * Counts one write against the user's window, shared by every node through the store. Messages (sends,
   * edits) and reactions have separate budgets of the same size. The system sender has none.
   */
  async function spend(actor: Actor, kind: 'messages' | 'reactions' = 'messages'): Promise<void> {
    // The site's system sender speaks for the site's backend (server API, authenticated by a site API key):
    // not one person typing. The node's send admission still bounds it.
    if (actor.user.kind === 'system') return;
    await limiter.consume(
      writeLimits[kind],
      [actor.site.publicId, actor.user.id],
      (seconds) =>
        `Too many ${kind}: at most ${rateLimit} per ${Math.round(rateWindowMs / 1000)} s; retry in ${seconds} s`,
    );
  }

  async function withReactions(list: Message[], viewerId: string): Promise<Message[]> {
    const summaries = await reactions.summaries(
      list.filter((m) => !m.deletedAt).map((m) => m.id),
      viewerId,
    );
    return list.map((m) => ({ ...m, reactions: summaries.get(m.id) ?? [] }));
  }

  async function withReactionsOne(message: Message, viewerId: string): Promise<Message> {
    return (await withReactions([message], viewerId))[0]!;
  }

  /** Loads a message of the room for a change, refusing tombstones. */
  async function liveMessage(roomId: string, messageId: string): Promise<Message> {
    const message = await repo.findById(roomId, messageId);
    if (!message) throw new AppError('not_found', 'No such message in this room');
    if (message.deletedAt) throw new AppError('conflict', 'The message was deleted');
    return message;
  }

  return {
    /**
     * Sends a message. Idempotent on `(room, clientMsgId)`: a retry returns the stored message and writes
     * nothing (a retry never counts against the rate limit); the same key with other content is `conflict`.
     */
    async send(actor: Actor, roomId: string, input: SendInput): Promise<Message> {
      const { room } = await authorize(actor, roomId, 'send');
      await assertWriter(actor);
      const stored = await repo.findByClientMsgId(room.id, input.clientMsgId);
      if (stored) {
        assertSameMessage(stored, actor, input);
        return withReactionsOne(stored, actor.user.id);
      }
      await spend(actor);
      if (input.replyTo !== undefined && !(await repo.isLiveMessage(room.id, input.replyTo))) {
        throw new AppError('validation_failed', 'Invalid payload.replyTo: no such message in this room', [
          { path: 'replyTo', message: 'no such message in this room', code: 'custom' },
        ]);
      }
      // Resumes after the commit; callers of one batch resume in seq order, so their broadcasts leave in it.
      const result = await sends.create({
        roomId: room.id,
        authorId: actor.user.id,
        clientMsgId: input.clientMsgId,
        text: input.text,
        replyTo: input.replyTo ?? null,
      });
      if (!result) throw new AppError('not_found', 'No such room');
      if (!result.created) {
        // A concurrent retry stored it first: same answer as a later retry.
        assertSameMessage(result.existing, actor, input);
        return withReactionsOne(result.existing, actor.user.id);
      }
      realtime.emit(room.id, 'message:new', result.message);
      return result.message;
    },

    /** Edits the text of a message: its author (who may still send), or whoever may edit any message. */
    async edit(actor: Actor, roomId: string, messageId: string, text: string): Promise<Message> {
      const { room, membership } = await roomFor(actor, roomId);
      assertRoomPermission(membership, 'read', actor.user, room);
      await assertWriter(actor);
      const message = await liveMessage(room.id, messageId);
      if (message.author.id === actor.user.id) {
        assertRoomPermission(membership, 'send', actor.user, room);
      } else if (!canInRoom(membership, 'edit_any_message', actor.user, room)) {
        throw new AppError('forbidden', 'You can only edit your own messages');
      }
      if (message.text === text) return withReactionsOne(message, actor.user.id);
      await spend(actor);
      const updated = await deps.db.transaction(async (trx) => {
        const edited = await messagesRepository(trx).edit(room.id, messageId, text);
        if (edited) await recordMessageEvent(trx, actor.site, 'message.updated', edited);
        return edited;
      });
      if (!updated) throw new AppError('conflict', 'The message was deleted');
      realtime.emit(room.id, 'message:updated', {
        roomId: room.id,
        messageId: updated.id,
        seq: updated.seq,
        text: updated.text,
        editedAt: updated.editedAt!,
      });
      return withReactionsOne(updated, actor.user.id);
    },

    /**
     * Deletes a message (a tombstone stays): its author (if the site policy lets them write), or a
     * moderator/owner, or a site admin. Deleting a deleted message answers the tombstone again.
     */
    async remove(actor: Actor, roomId: string, messageId: string): Promise<Message> {
      const { room, membership } = await roomFor(actor, roomId);
      assertRoomPermission(membership, 'read', actor.user, room);
      const message = await repo.findById(room.id, messageId);
      if (!message) throw new AppError('not_found', 'No such message in this room');
      if (message.author.id === actor.user.id) await assertWriter(actor);
      else assertRoomPermission(membership, 'delete_any_message', actor.user, room);
      if (message.deletedAt) return message;
      const deleted =
        (await deps.db.transaction(async (trx) => {
          const tombstone = await messagesRepository(trx).softDelete(room.id, messageId);
          if (tombstone) await recordMessageEvent(trx, actor.site, 'message.deleted', tombstone);
          return tombstone;
        })) ?? (await repo.findById(room.id, messageId));
      if (!deleted) throw new AppError('not_found', 'No such message in this room');
      realtime.emit(room.id, 'message:deleted', {
        roomId: room.id,
        messageId: deleted.id,
        seq: deleted.seq,
        deletedAt: deleted.deletedAt!,
      });
      return deleted;
    },

    /** Adds (`add`) or removes a reaction of the actor; broadcasts only when something changed. */
    async react(
      actor: Actor,
      roomId: string,
      messageId: string,
      emoji: string,
      add: boolean,
    ): Promise<ReactionUpdatedEvent> {
      const { room } = await authorize(actor, roomId, add ? 'send' : 'read');
      await assertWriter(actor);
      await liveMessage(room.id, messageId);
      await spend(actor, 'reactions');
      // The change and its `reaction.updated` event (only when something changed) commit together.
      const { changed, event } = await deps.db.transaction(async (trx) => {
        const repo = reactionsRepository(trx);
        let changed: boolean;
        let count: number;
        if (add) {
          const result = await repo.add(messageId, actor.user.id, emoji);
          if (result.outcome === 'limit') {
            throw new AppError(
              'conflict',
              `At most ${MAX_REACTIONS_PER_USER} different reactions per message`,
            );
          }
          changed = result.outcome === 'added';
          count = result.count;
        } else {
          const result = await repo.remove(messageId, actor.user.id, emoji);
          changed = result.removed;
          count = result.count;
        }
        const event: ReactionUpdatedEvent = {
          roomId: room.id,
          messageId,
          emoji,
          userId: actor.user.id,
          action: add ? 'added' : 'removed',
          count,
        };
        if (changed) {
          await recordEvents(trx, [
            { site: actor.site, type: 'reaction.updated', roomId: room.id, data: event },
          ]);
        }
        return { changed, event };
      });
      if (changed) realtime.emit(room.id, 'reaction:updated', event);
      return event;
    },

    /** A page of history (members only), oldest first, with the reader's reactions. */
    async history(actor: Actor, roomId: string, options: HistoryOptions): Promise<MessagePage> {
      const { room } = await authorize(actor, roomId, 'read');
      const page = await repo.history(room.id, options);
      return { messages: await withReactions(page.messages, actor.user.id), hasMore: page.hasMore };
    },

    /**
     * What a connection joining a room gets: the messages after `lastSeq` (at most 200; `hasMore` when more
     * follow), or without it the latest 50 (`hasMore` when older ones exist).
     */
    async catchUp(actor: Actor, room: Room, lastSeq: string | undefined): Promise<MessagePage> {
      const page =
        lastSeq === undefined
          ? await repo.history(room.id, { limit: JOIN_LATEST_LIMIT })
          : await repo.history(room.id, { after: lastSeq, limit: CATCH_UP_LIMIT });
      return { messages: await withReactions(page.messages, actor.user.id), hasMore: page.hasMore };
    },

    /**
     * Moves the actor's read marker to `seq` (never backwards; `seq` may not pass the room's last message)
     * and tells the room when it moved.
     */
    async markRead(actor: Actor, roomId: string, seq: string): Promise<ReadUpdateResult> {
      const { room, membership } = await authorize(actor, roomId, 'read');
      if (BigInt(seq) > BigInt(room.lastSeq)) {
        throw new AppError(
          'validation_failed',
          `Invalid payload.seq: the room's last message is ${room.lastSeq}`,
          [{ path: 'seq', message: `must be at most ${room.lastSeq}`, code: 'too_big' }],
        );
      }
      if (!membership || membership.bannedAt) {
        // A site admin reading a room they are not a member of has no marker to move.
        throw new AppError('forbidden', 'Only members have a read marker; join the room first');
      }
      const stored = await members.markRead(room.id, actor.user.id, seq);
      if (stored === undefined) throw new AppError('forbidden', 'You are not a member of this room');
      if (BigInt(stored) > BigInt(membership.lastReadSeq)) {
        realtime.emit(room.id, 'read', { roomId: room.id, userId: actor.user.id, seq: stored });
      }
      const latest = (await rooms.findById(actor.site.id, room.id))?.lastSeq ?? room.lastSeq;
      return { roomId: room.id, lastReadSeq: stored, unreadCount: unreadCount(latest, stored) };
    },

    /** The room and membership for a connection joining it; throws unless the actor may read it. */
    authorize,

    /** Throws unless the site's write policy lets the actor write (typing included). */
    assertWriter,
  };
}

export type MessagesService = ReturnType<typeof messagesService>;
