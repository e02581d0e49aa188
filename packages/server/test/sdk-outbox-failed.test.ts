/**
 * Sends the server refuses for good (text too long, muted) with the SDK's outbox: `send()` returns them at
 * once as pending, its promise rejects, and they stay `failed` in `outgoing()` — and in the storage, across
 * connections — until `retrySend` (stored once it is allowed) or `discardSend`; `send:status` reports each step.
 */
import {
  createClient,
  memoryStorage,
  SyncTalkError,
  type Connection,
  type OutgoingMessage,
  type SyncTalkClient,
} from '@synctalk/sdk';
import { afterAll, expect, it } from 'vitest';
import { uniqueName } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'sdk: failed sends are kept for a retry or a discard', () => {
  const { t } = useServer({ label: 'sdk_outbox_failed' });
  const connections: Connection[] = [];
  afterAll(() => {
    for (const chat of connections) chat.close();
  });

  const signUp = async (options: { storage?: ReturnType<typeof memoryStorage> } = {}) => {
    const client = createClient({ baseUrl: t.url, ...options });
    await client.auth.signup({ username: uniqueName('fs'), password: 'correct horse battery' });
    return client;
  };
  const connect = async (client: SyncTalkClient) => {
    const chat = await client.connect();
    connections.push(chat);
    const changes: OutgoingMessage[] = [];
    chat.on('send:status', (o) => changes.push(o));
    return { chat, changes, statuses: () => changes.map((c) => `${c.text.slice(0, 12)}:${c.status}`) };
  };
  const rejection = (p: PromiseLike<unknown>) =>
    Promise.resolve(p).then(
      () => {
        throw new Error('expected a failure');
      },
      (e: unknown) => e,
    );

  it('keeps a refused send as failed until it is discarded, then it is gone from memory and storage', async () => {
    const storage = memoryStorage();
    const owner = await signUp({ storage });
    const room = await owner.rooms.create({ title: 'Too long', visibility: 'public' });
    const { chat, changes, statuses } = await connect(owner);

    const pending = chat.send(room.id, 'x'.repeat(4001));
    expect(pending).toMatchObject({ roomId: room.id, status: 'pending' });
    const error = await rejection(pending);
    expect(error).toBeInstanceOf(SyncTalkError);
    expect(error).toMatchObject({ code: 'validation_failed', retryable: false });
    expect(chat.outgoing(room.id)).toMatchObject([
      { clientMsgId: pending.clientMsgId, status: 'failed', error: { code: 'validation_failed' } },
    ]);
    expect(chat.pendingSends).toBe(0);
    expect(changes[1]!.error).toBe(error);

    // Still there for the next connection (e.g. after a reload), with why it failed.
    chat.close();
    const again = await connect(owner);
    expect(again.chat.outgoing()).toMatchObject([
      { clientMsgId: pending.clientMsgId, status: 'failed', error: { code: 'validation_failed' } },
    ]);
    expect(again.chat.discardSend(pending.clientMsgId)).toBe(true);
    expect(again.chat.discardSend(pending.clientMsgId)).toBe(false);
    expect(again.chat.outgoing()).toEqual([]);
    expect(again.statuses()).toEqual(['xxxxxxxxxxxx:discarded']);
    again.chat.close();
    const third = await connect(owner);
    expect(third.chat.outgoing()).toEqual([]);
    expect(statuses()).toEqual(['xxxxxxxxxxxx:pending', 'xxxxxxxxxxxx:failed']);
    expect((await owner.messages.history(room.id)).messages).toEqual([]);
  });

  it('retries a send refused while muted once unmuted: stored once, and reported at every step', async () => {
    const owner = await signUp();
    const room = await owner.rooms.create({ title: 'Muted', visibility: 'public' });
    const talker = await signUp({ storage: memoryStorage() });
    const talkerId = (await talker.me.get()).id;
    await talker.rooms.join(room.id);
    const { chat, changes, statuses } = await connect(talker);
    await chat.joinRoom(room.id);

    await owner.rooms.mute(room.id, talkerId, 5);
    const muted = chat.send(room.id, 'let me speak');
    expect(await rejection(muted)).toMatchObject({ code: 'forbidden' });
    const after = chat.send(room.id, 'still muted');
    await rejection(after);
    expect(chat.outgoing(room.id).map((o) => [o.text, o.status])).toEqual([
      ['let me speak', 'failed'],
      ['still muted', 'failed'],
    ]);
    expect(chat.retrySend('no-such-send')).toBe(false);

    await owner.rooms.unmute(room.id, talkerId);
    const stored = new Promise<OutgoingMessage>((resolve) =>
      chat.on('send:status', (o) => o.status === 'sent' && resolve(o)),
    );
    expect(chat.retrySend(muted.clientMsgId)).toBe(true);
    expect(chat.retrySend(muted.clientMsgId)).toBe(false); // pending now, not failed
    const sent = await stored;
    expect(sent).toMatchObject({ clientMsgId: muted.clientMsgId, text: 'let me speak', status: 'sent' });
    expect(sent.message).toMatchObject({ text: 'let me speak', clientMsgId: muted.clientMsgId });
    expect(chat.outgoing(room.id).map((o) => o.text)).toEqual(['still muted']);
    expect(statuses()).toEqual([
      'let me speak:pending',
      'let me speak:failed',
      'still muted:pending',
      'still muted:failed',
      'let me speak:pending',
      'let me speak:sent',
    ]);
    // A send retried by sending it again with its clientMsgId (what apps did before retrySend).
    const resent = await chat.send(room.id, 'still muted', { clientMsgId: after.clientMsgId });
    expect(resent.text).toBe('still muted');
    expect(changes.at(-1)).toMatchObject({ clientMsgId: after.clientMsgId, status: 'sent' });
    expect((await owner.messages.history(room.id)).messages.map((m) => m.text)).toEqual([
      'let me speak',
      'still muted',
    ]);
  });
});
