import { expect, it } from 'vitest';
import { ack, connectChat, nextEvent } from './helpers/cluster.js';
import { newRoom, newUser } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres', 'redisCluster'], 'chat: frames are bounded by the largest valid event', () => {
  // MESSAGE_MAX_LENGTH defaults to 4,000 characters: frames up to 64 KiB.
  const [a] = useServer({ label: 'chat_frame_size', nodes: 1 }).nodes;

  it('accepts the longest messages, and closes a connection that sends a larger frame', async () => {
    const alice = await newUser(a);
    const room = await newRoom(a, alice);
    const socket = await connectChat(a.url, { token: alice.token });
    const other = await connectChat(a.url, { token: alice.token });

    // 4,000 characters of 4 bytes each, and 4,000 Hangul syllables sent decomposed (12,000 code points).
    const emoji = '😀'.repeat(4000);
    const hangul = '한'.repeat(4000).normalize('NFD');
    expect(Buffer.byteLength(hangul)).toBe(36_000);
    const sent = await ack(socket, 'message:send', { roomId: room.id, clientMsgId: 'emoji', text: emoji });
    expect(sent.message.text).toBe(emoji);
    const composed = await ack(socket, 'message:send', {
      roomId: room.id,
      clientMsgId: 'hangul',
      text: hangul,
    });
    expect(composed.message.text).toBe('한'.repeat(4000));

    // 100 kB in one frame: never parsed, the connection is closed.
    const closed = nextEvent(socket as never, 'disconnect' as never, () => true, 10_000) as Promise<unknown>;
    (socket as unknown as { emit(e: string, p: unknown): void }).emit('message:send', {
      roomId: room.id,
      clientMsgId: 'huge',
      text: 'x'.repeat(100_000),
    });
    expect(await closed).toBe('transport close');
    expect(await a.server.db('messages').where({ client_msg_id: 'huge' })).toEqual([]);

    // Other connections are not affected.
    const after = await ack(other, 'message:send', { roomId: room.id, clientMsgId: 'after', text: 'after' });
    expect(after.message.text).toBe('after');
  });
});
