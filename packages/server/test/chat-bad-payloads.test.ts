import { beforeAll, expect, it } from 'vitest';
import { ack, connectChat, record, type ChatClient } from './helpers/cluster.js';
import { joinRoom, newRoom, newSite, newUser, type TestUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(
  ['postgres', 'redisCluster'],
  'chat: every event refuses malformed payloads, writing nothing',
  () => {
    const [a, b] = useServer({
      label: 'chat_bad_payloads',
      nodes: 2,
    }).nodes;
    let alice: TestUser;
    let bob: TestUser;
    let roomId: string;
    let messageId: string;
    let foreignRoomId: string;
    let foreignMessageId: string;
    let socket: ChatClient;
    let watcher: ChatClient;

    const snapshot = async () => ({
      messages: await a.server.db('messages').orderBy('id').select('id', 'text', 'edited_at', 'deleted_at'),
      reactions: await a.server.db('reactions').select('*'),
      members: await a.server.db('room_members').orderBy(['room_id', 'user_id']).select('*'),
      rooms: await a.server.db('rooms').orderBy('id').select('id', 'last_seq'),
    });

    beforeAll(async () => {
      alice = await newUser(a);
      bob = await newUser(a);
      const room = await newRoom(a, alice);
      roomId = room.id;
      await joinRoom(a, bob, room);
      socket = await connectChat(a.url, { token: alice.token });
      expect((await ack(socket, 'room:join', { roomId })).error).toBeUndefined();
      messageId = (await ack(socket, 'message:send', { roomId, clientMsgId: 'seed', text: 'seed' })).message
        .id;

      // Another site, its room and message: their ids must mean nothing here.
      const { site } = await newSite(a);
      const stranger = await newUser(a, { site });
      const foreign = await newRoom(a, stranger);
      foreignRoomId = foreign.id;
      const strangerSocket = await connectChat(b.url, { token: stranger.token, site: site.publicId });
      foreignMessageId = (
        await ack(strangerSocket, 'message:send', { roomId: foreignRoomId, clientMsgId: 'f', text: 'theirs' })
      ).message.id;

      watcher = await connectChat(b.url, { token: bob.token });
      expect((await ack(watcher, 'room:join', { roomId })).error).toBeUndefined();
    });

    const long = 'x'.repeat(4001);
    const unknownRoom = '999999999';

    // [event, payload, expected code]
    const cases: [string, unknown, string][] = [
      ['room:join', undefined, 'validation_failed'],
      ['room:join', 'room-1', 'validation_failed'],
      ['room:join', {}, 'validation_failed'],
      ['room:join', { roomId: 1 }, 'validation_failed'],
      ['room:join', { roomId: '1; DROP TABLE rooms' }, 'validation_failed'],
      ['room:join', { roomId: 'R', lastSeq: '-1' }, 'validation_failed'],
      ['room:join', { roomId: 'R', extra: true }, 'validation_failed'],
      ['room:join', { roomId: unknownRoom }, 'not_found'],
      ['room:join', { roomId: 'FOREIGN_ROOM' }, 'not_found'],
      ['room:leave', { roomId: 'R', please: 1 }, 'validation_failed'],
      ['message:send', { roomId: 'R', text: 'no key' }, 'validation_failed'],
      ['message:send', { roomId: 'R', clientMsgId: 'k', text: 42 }, 'validation_failed'],
      ['message:send', { roomId: 'R', clientMsgId: 'k', text: '' }, 'validation_failed'],
      ['message:send', { roomId: 'R', clientMsgId: 'k', text: '   ' }, 'validation_failed'],
      ['message:send', { roomId: 'R', clientMsgId: 'k', text: long }, 'validation_failed'],
      ['message:send', { roomId: 'R', clientMsgId: 'k', text: 'nul\u0000byte' }, 'validation_failed'],
      ['message:send', { roomId: 'R', clientMsgId: 'k', text: 'bell\u0007' }, 'validation_failed'],
      ['message:send', { roomId: 'R', clientMsgId: 'k'.repeat(65), text: 'hi' }, 'validation_failed'],
      ['message:send', { roomId: 'R', clientMsgId: 'has space', text: 'hi' }, 'validation_failed'],
      ['message:send', { roomId: 'R', clientMsgId: 'k', text: 'hi', author: 'someone' }, 'validation_failed'],
      ['message:send', { roomId: 'R', clientMsgId: 'k', text: 'hi', replyTo: 5 }, 'validation_failed'],
      [
        'message:send',
        { roomId: 'R', clientMsgId: 'k', text: 'hi', replyTo: 'FOREIGN_MSG' },
        'validation_failed',
      ],
      [
        'message:send',
        { roomId: 'R', clientMsgId: 'k', text: 'hi', replyTo: '999999999' },
        'validation_failed',
      ],
      ['message:send', { roomId: unknownRoom, clientMsgId: 'k', text: 'hi' }, 'not_found'],
      ['message:send', { roomId: 'FOREIGN_ROOM', clientMsgId: 'k', text: 'hi' }, 'not_found'],
      ['message:edit', { roomId: 'R', messageId: 'M' }, 'validation_failed'],
      ['message:edit', { roomId: 'R', messageId: 'M', text: long }, 'validation_failed'],
      ['message:edit', { roomId: 'R', messageId: 'M', text: 'a\u0000' }, 'validation_failed'],
      ['message:edit', { roomId: 'R', messageId: 'M', text: 'x', seq: '1' }, 'validation_failed'],
      ['message:edit', { roomId: 'R', messageId: 'FOREIGN_MSG', text: 'x' }, 'not_found'],
      ['message:edit', { roomId: 'FOREIGN_ROOM', messageId: 'FOREIGN_MSG', text: 'x' }, 'not_found'],
      ['message:delete', { roomId: 'R' }, 'validation_failed'],
      ['message:delete', { roomId: 'R', messageId: ['M'] }, 'validation_failed'],
      ['message:delete', { roomId: 'R', messageId: 'FOREIGN_MSG' }, 'not_found'],
      ['message:delete', { roomId: 'FOREIGN_ROOM', messageId: 'FOREIGN_MSG' }, 'not_found'],
      ['reaction:add', { roomId: 'R', messageId: 'M' }, 'validation_failed'],
      ['reaction:add', { roomId: 'R', messageId: 'M', emoji: 'not an emoji' }, 'validation_failed'],
      ['reaction:add', { roomId: 'R', messageId: 'M', emoji: '👍👍' }, 'validation_failed'],
      ['reaction:add', { roomId: 'R', messageId: 'M', emoji: '\u0000' }, 'validation_failed'],
      ['reaction:add', { roomId: 'R', messageId: 'M', emoji: 'x'.repeat(40) }, 'validation_failed'],
      ['reaction:add', { roomId: 'R', messageId: 'M', emoji: '👍', count: 5 }, 'validation_failed'],
      ['reaction:add', { roomId: 'R', messageId: 'FOREIGN_MSG', emoji: '👍' }, 'not_found'],
      ['reaction:add', { roomId: 'FOREIGN_ROOM', messageId: 'FOREIGN_MSG', emoji: '👍' }, 'not_found'],
      ['reaction:remove', { roomId: 'R', messageId: 'M', emoji: 7 }, 'validation_failed'],
      ['typing:start', { room: 'R' }, 'validation_failed'],
      ['typing:start', { roomId: 'FOREIGN_ROOM' }, 'forbidden'],
      ['typing:start', { roomId: unknownRoom }, 'forbidden'],
      ['typing:stop', { roomId: 'R', now: true }, 'validation_failed'],
      ['read:update', { roomId: 'R' }, 'validation_failed'],
      ['read:update', { roomId: 'R', seq: 1 }, 'validation_failed'],
      ['read:update', { roomId: 'R', seq: '-1' }, 'validation_failed'],
      ['read:update', { roomId: 'R', seq: '99' }, 'validation_failed'],
      ['read:update', { roomId: 'R', seq: '1', userId: 'B' }, 'validation_failed'],
      ['read:update', { roomId: 'FOREIGN_ROOM', seq: '1' }, 'not_found'],
      ['auth:refresh', {}, 'validation_failed'],
      ['auth:refresh', { token: 'not.a.jwt' }, 'unauthorized'],
      ['auth:refresh', { token: 'x', keep: 1 }, 'validation_failed'],
      ['member:mute', { roomId: 'R', userId: 'B' }, 'validation_failed'],
      ['member:mute', { roomId: 'R', userId: 'B', minutes: 0 }, 'validation_failed'],
      ['member:mute', { roomId: 'R', userId: 'B', minutes: 1.5 }, 'validation_failed'],
      ['member:mute', { roomId: 'R', userId: 'B', minutes: 10 ** 9 }, 'validation_failed'],
      ['member:mute', { roomId: 'FOREIGN_ROOM', userId: 'B', minutes: 5 }, 'not_found'],
      ['member:kick', { roomId: 'R', userId: 'B', reason: 'x' }, 'validation_failed'],
      ['member:kick', { roomId: 'R', userId: '999999999' }, 'not_found'],
      ['member:ban', { roomId: 'R' }, 'validation_failed'],
      ['member:ban', { roomId: 'FOREIGN_ROOM', userId: 'B' }, 'not_found'],
      ['room:heads', { roomIds: 'R' }, 'validation_failed'],
      ['room:heads', { roomIds: ['R', '0x1'] }, 'validation_failed'],
      ['room:heads', { roomIds: Array(1001).fill('R') }, 'validation_failed'],
      ['room:heads', { roomIds: ['R'], all: true }, 'validation_failed'],
    ];

    const fill = (value: unknown): unknown => {
      if (typeof value === 'string') {
        return (
          {
            R: roomId,
            M: messageId,
            B: bob.user.id,
            FOREIGN_ROOM: foreignRoomId,
            FOREIGN_MSG: foreignMessageId,
          }[value] ?? value
        );
      }
      if (Array.isArray(value)) return value.map(fill);
      if (value && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v)]));
      }
      return value;
    };

    it.each(cases)('%s %j → %s', async (event, payload, code) => {
      const before = await snapshot();
      const res =
        event === 'room:join' && payload === undefined
          ? await ack(socket, event)
          : await ack(socket, event, fill(payload));
      expect(res).toEqual({
        error: {
          code,
          message: expect.any(String),
          ...(res.error?.details ? { details: expect.anything() } : {}),
        },
      });
      expect(res.error.message.length).toBeGreaterThan(0);
      expect(await snapshot()).toEqual(before);
    });

    it('explains validation failures field by field, like REST', async () => {
      const res = await ack(socket, 'message:send', { roomId, clientMsgId: 'k', text: 'a\u0000b', extra: 1 });
      expect(res.error.code).toBe('validation_failed');
      expect(res.error.message).toMatch(/^Invalid payload/);
      const paths = (res.error.details as { path: string }[]).map((d) => d.path);
      expect(paths).toEqual(expect.arrayContaining(['text', '']));
    });

    it('refuses several arguments, and answers unknown events that expect an ack', async () => {
      const two = await ack(socket, 'message:send', { roomId, clientMsgId: 'two', text: 'a' }, { more: 1 });
      expect(two.error.code).toBe('validation_failed');
      const unknown = await ack(socket, 'message:sendd', { roomId });
      expect(unknown.error.code).toBe('not_found');
      expect(await a.server.db('messages').where({ client_msg_id: 'two' })).toEqual([]);
    });

    it('survives events without an ack callback, valid or not, and keeps serving the connection', async () => {
      const seen = record(watcher, 'message:new');
      const raw = socket as unknown as { emit(e: string, ...a: unknown[]): void };
      raw.emit('message:send', { roomId, clientMsgId: 'no-ack-bad', text: 'a\u0000' });
      raw.emit('message:send');
      raw.emit('room:join', null);
      raw.emit('no:such:event', 1, 2, 3);
      raw.emit('message:send', { roomId, clientMsgId: 'no-ack-ok', text: 'still stored' });
      const after = await ack(socket, 'message:send', { roomId, clientMsgId: 'after', text: 'after' });
      expect(after.message.text).toBe('after');
      expect(socket.connected).toBe(true);
      const texts = (await a.server.db('messages').where({ room_id: roomId }).orderBy('seq')).map(
        (m) => m.text,
      );
      expect(texts).toEqual(['seed', 'still stored', 'after']);
      await new Promise((r) => setTimeout(r, 200));
      expect(seen.map((m) => m.text)).toEqual(['still stored', 'after']);
    });
  },
);
