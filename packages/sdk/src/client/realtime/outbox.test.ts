import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ErrorBody } from '../../protocol/errors.js';
import type { SendMessagePayload } from '../../protocol/events.js';
import type { Message } from '../../protocol/messages.js';
import { SyncTalkError } from '../errors.js';
import { memoryStorage, type KeyValueStorage } from '../storage.js';
import { Outbox } from './outbox.js';
import { OutboxStore } from './outbox-store.js';
import type { OutgoingMessage } from './pending-send.js';

const stored = (p: SendMessagePayload, seq = 1) => ({
  message: { id: `id-${p.clientMsgId}`, seq: String(seq), roomId: p.roomId, text: p.text } as Message,
});
const error = (code: ErrorBody['error']['code'], details?: unknown): ErrorBody => ({
  error: { code, message: code, details },
});

/** A fake connection: records transmissions; the test answers each one. */
function harness() {
  let connected = true;
  const sent: {
    payload: SendMessagePayload;
    answer(ack: { message: Message } | ErrorBody): void;
    drop(): void;
  }[] = [];
  const storedMessages: Message[] = [];
  const changes: OutgoingMessage[] = [];
  const outbox = new Outbox({
    connected: () => connected,
    transmit: (payload) =>
      new Promise((resolve, reject) =>
        sent.push({ payload, answer: resolve, drop: () => reject(new Error('disconnected')) }),
      ),
    stored: (m) => storedMessages.push(m),
    changed: (o) => changes.push(o),
  });
  const ids = () => sent.map((s) => s.payload.clientMsgId);
  const statuses = () => changes.map((c) => `${c.clientMsgId}:${c.status}`);
  return {
    outbox,
    sent,
    ids,
    storedMessages,
    changes,
    statuses,
    setConnected: (c: boolean) => (connected = c),
  };
}

/** An outbox kept in `storage` (as the connection does), with what it restored from there. */
async function persisted(storage: KeyValueStorage, connected = false) {
  const h = harness();
  h.setConnected(connected);
  const reports: unknown[] = [];
  const store = new OutboxStore({
    storage,
    key: 'outbox',
    snapshot: () => h.outbox.stored(),
    report: (e) => reports.push(e),
  });
  h.outbox.persistTo(store, await store.load());
  return { ...h, store, reports };
}

const storedIds = async (storage: KeyValueStorage) =>
  (
    JSON.parse((await storage.get('outbox')) ?? '{"sends":[]}') as { sends: { clientMsgId: string }[] }
  ).sends.map((s) => s.clientMsgId);

const payload = (n: number, roomId = '1'): SendMessagePayload => ({
  roomId,
  clientMsgId: `c${n}`,
  text: `t${n}`,
});

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Outbox', () => {
  it('returns the send at once, resolves with the stored message, and reports every change', async () => {
    const h = harness();
    const pending = h.outbox.add({ ...payload(1), replyTo: '7' });
    expect(pending).toMatchObject({
      clientMsgId: 'c1',
      roomId: '1',
      text: 't1',
      replyTo: '7',
      status: 'pending',
    });
    expect(Date.parse(pending.createdAt)).not.toBeNaN();
    expect(h.outbox.list()).toEqual([
      {
        clientMsgId: 'c1',
        roomId: '1',
        text: 't1',
        replyTo: '7',
        status: 'pending',
        createdAt: pending.createdAt,
      },
    ]);
    h.sent[0]!.answer(stored(payload(1)));
    expect(await pending).toMatchObject({ id: 'id-c1' });
    expect(h.storedMessages).toHaveLength(1);
    expect(h.outbox.size).toBe(0);
    expect(h.outbox.list()).toEqual([]);
    expect(h.statuses()).toEqual(['c1:pending', 'c1:sent']);
    expect(h.changes[1]!.message).toMatchObject({ id: 'id-c1' });
  });

  it('sends again with the same clientMsgId when no answer came, on the same connection after a pause', async () => {
    const h = harness();
    const done = h.outbox.add(payload(1));
    h.sent[0]!.drop(); // ack timeout
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.sent).toHaveLength(2);
    expect(h.sent[1]!.payload).toEqual(payload(1));
    h.sent[1]!.answer(stored(payload(1)));
    await expect(done).resolves.toMatchObject({ id: 'id-c1' });
  });

  it('has one send of a room on its way at a time, in the order they were made; rooms do not wait for each other', async () => {
    const h = harness();
    const sends = [
      h.outbox.add(payload(1)),
      h.outbox.add(payload(2)),
      h.outbox.add(payload(3, '2')),
      h.outbox.add(payload(4)),
    ];
    expect(h.ids()).toEqual(['c1', 'c3']);
    h.sent[0]!.answer(stored(payload(1), 1));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.ids()).toEqual(['c1', 'c3', 'c2']);
    h.sent[2]!.answer(stored(payload(2), 2));
    h.sent[1]!.answer(stored(payload(3, '2'), 1));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.ids()).toEqual(['c1', 'c3', 'c2', 'c4']);
    h.sent[3]!.answer(stored(payload(4), 3));
    expect((await Promise.all(sends)).map((m) => m.seq)).toEqual(['1', '2', '1', '3']);
  });

  it('waits for the next connection when disconnected, then sends what is pending in order', async () => {
    const h = harness();
    h.setConnected(false);
    const first = h.outbox.add(payload(1));
    const second = h.outbox.add(payload(2));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.sent).toHaveLength(0);
    h.setConnected(true);
    h.outbox.flush();
    expect(h.ids()).toEqual(['c1']);
    // The connection drops with c1 on its way; the next one sends c1 again (same id), then c2.
    h.setConnected(false);
    h.sent[0]!.drop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.ids()).toEqual(['c1']);
    h.setConnected(true);
    h.outbox.flush();
    expect(h.ids()).toEqual(['c1', 'c1']);
    h.sent[1]!.answer(stored(payload(1), 1));
    await vi.advanceTimersByTimeAsync(0);
    h.sent[2]!.answer(stored(payload(2), 2));
    expect([await first, await second].map((m) => m.seq)).toEqual(['1', '2']);
  });

  it('ignores a late answer to an older transmission', async () => {
    const h = harness();
    const done = h.outbox.add(payload(1));
    h.outbox.flush(); // reconnect: transmitted again
    expect(h.sent).toHaveLength(2);
    h.sent[0]!.answer(error('internal'));
    h.sent[1]!.answer(stored(payload(1)));
    await expect(done).resolves.toMatchObject({ id: 'id-c1' });
  });

  it('waits retryAfter seconds on rate_limited, then sends the same id again; the next send of the room waits too', async () => {
    const h = harness();
    const done = h.outbox.add(payload(1));
    h.outbox.add(payload(2));
    h.sent[0]!.answer(error('rate_limited', { retryAfter: 3 }));
    await vi.advanceTimersByTimeAsync(2900);
    expect(h.ids()).toEqual(['c1']);
    await vi.advanceTimersByTimeAsync(200);
    expect(h.ids()).toEqual(['c1', 'c1']);
    h.sent[1]!.answer(stored(payload(1)));
    await expect(done).resolves.toBeDefined();
    expect(h.ids()).toEqual(['c1', 'c1', 'c2']);
  });

  it('waits retryAfter to twice retryAfter on an overloaded unavailable, longer when refused again, then sends the same id', async () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    try {
      const h = harness();
      const done = h.outbox.add(payload(1));
      h.outbox.add(payload(2));
      h.sent[0]!.answer(error('unavailable', { retryAfter: 1 }));
      // retryAfter 1 s, spread over 1–2 s: 1.5 s with this random draw.
      await vi.advanceTimersByTimeAsync(1490);
      expect(h.ids()).toEqual(['c1']);
      await vi.advanceTimersByTimeAsync(20);
      expect(h.ids()).toEqual(['c1', 'c1']);
      // Refused again: 2–4 s.
      h.sent[1]!.answer(error('unavailable', { retryAfter: 1 }));
      await vi.advanceTimersByTimeAsync(2990);
      expect(h.ids()).toEqual(['c1', 'c1']);
      await vi.advanceTimersByTimeAsync(20);
      expect(h.ids()).toEqual(['c1', 'c1', 'c1']);
      h.sent[2]!.answer(stored(payload(1)));
      await expect(done).resolves.toMatchObject({ id: 'id-c1' });
      expect(h.ids()).toEqual(['c1', 'c1', 'c1', 'c2']);
      expect(h.storedMessages.map((m) => m.id)).toEqual(['id-c1']);
    } finally {
      random.mockRestore();
    }
  });

  it('never retries an overloaded unavailable sooner than retryAfter, whatever the draw', async () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    try {
      const h = harness();
      h.outbox.add(payload(1));
      for (let n = 1; n <= 6; n += 1) {
        h.sent[n - 1]!.answer(error('unavailable', { retryAfter: 8 }));
        await vi.advanceTimersByTimeAsync(7990);
        expect(h.sent).toHaveLength(n);
        // At most the cap (twice retryAfter plus 10 s): the next goes out by then.
        await vi.advanceTimersByTimeAsync(26_000 - 7990);
        expect(h.sent).toHaveLength(n + 1);
      }
    } finally {
      random.mockRestore();
    }
  });

  it('keeps a send refused for good as failed, until it is retried or discarded; the room goes on meanwhile', async () => {
    const h = harness();
    const refused = h.outbox.add(payload(1));
    const next = h.outbox.add(payload(2));
    h.sent[0]!.answer(error('forbidden'));
    const e = await refused.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(SyncTalkError);
    expect(e).toMatchObject({ code: 'forbidden' });
    expect(h.outbox.list()).toMatchObject([
      { clientMsgId: 'c1', status: 'failed', error: { code: 'forbidden' } },
      { clientMsgId: 'c2', status: 'pending' },
    ]);
    expect(h.outbox.size).toBe(1);
    expect(h.ids()).toEqual(['c1', 'c2']);
    h.sent[1]!.answer(stored(payload(2), 1));
    await next;

    expect(h.outbox.retry('c2')).toBe(false); // not failed (gone)
    expect(h.outbox.retry('c1')).toBe(true);
    expect(h.ids()).toEqual(['c1', 'c2', 'c1']);
    h.sent[2]!.answer(stored(payload(1), 2));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.outbox.list()).toEqual([]);
    expect(h.statuses()).toEqual([
      'c1:pending',
      'c2:pending',
      'c1:failed',
      'c2:sent',
      'c1:pending',
      'c1:sent',
    ]);
  });

  it('sending a failed clientMsgId again retries it, and the new promise gets the outcome', async () => {
    const h = harness();
    void h.outbox.add(payload(1));
    h.sent[0]!.answer(error('forbidden'));
    await vi.advanceTimersByTimeAsync(0);
    const again = h.outbox.add(payload(1));
    expect(again.status).toBe('pending');
    expect(h.outbox.list()).toHaveLength(1);
    h.sent[1]!.answer(stored(payload(1)));
    await expect(again).resolves.toMatchObject({ id: 'id-c1' });
  });

  it('discards pending and failed sends, and stops on abort and on close', async () => {
    const h = harness();
    h.setConnected(false);
    const discarded = h.outbox.add(payload(1));
    const controller = new AbortController();
    const aborted = h.outbox.add(payload(2), controller.signal);
    const closed = h.outbox.add(payload(3));
    expect(h.outbox.discard('c1')).toBe(true);
    expect(h.outbox.discard('c1')).toBe(false);
    await expect(discarded).rejects.toMatchObject({ name: 'AbortError' });
    controller.abort(new Error('cancelled'));
    await expect(aborted).rejects.toThrow('cancelled');
    const preAborted = h.outbox.add(payload(5), AbortSignal.abort(new Error('never')));
    expect(preAborted.status).toBe('discarded');
    await expect(preAborted).rejects.toThrow('never');
    expect(h.statuses()).toEqual(['c1:pending', 'c2:pending', 'c3:pending', 'c1:discarded', 'c2:discarded']);
    h.outbox.close(new Error('closed'));
    await expect(closed).rejects.toThrow('closed');
    expect(h.outbox.list()).toEqual([]);
    const late = h.outbox.add(payload(4));
    expect(late).toMatchObject({ status: 'failed', error: { code: 'unavailable' } });
    await expect(late).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('needs nobody to await a send: a refusal nobody listens to is no unhandled rejection', async () => {
    const h = harness();
    h.outbox.add(payload(1));
    h.sent[0]!.answer(error('validation_failed'));
    await vi.advanceTimersByTimeAsync(0);
    h.outbox.add(payload(2));
    h.outbox.close(new Error('closed'));
    // vitest fails the run on an unhandled rejection; give one every chance to surface.
    await vi.advanceTimersByTimeAsync(10);
    expect(h.statuses()).toEqual(['c1:pending', 'c1:failed', 'c2:pending']);
  });
});

describe('Outbox in storage', () => {
  it('stores every send not yet stored by the server, in order, and removes each once the server has it', async () => {
    const storage = memoryStorage();
    const h = await persisted(storage);
    h.outbox.add(payload(1));
    h.outbox.add(payload(2));
    h.outbox.add(payload(3, '2'));
    await h.store.idle();
    expect(await storedIds(storage)).toEqual(['c1', 'c2', 'c3']);

    h.setConnected(true);
    h.outbox.flush();
    h.sent[0]!.answer(stored(payload(1)));
    h.sent[1]!.answer(error('validation_failed'));
    await vi.advanceTimersByTimeAsync(0);
    await h.store.idle();
    const kept = JSON.parse((await storage.get('outbox'))!) as { sends: unknown[] };
    expect(kept.sends).toMatchObject([
      { clientMsgId: 'c2', status: 'pending', text: 't2', roomId: '1' },
      {
        clientMsgId: 'c3',
        status: 'failed',
        error: { code: 'validation_failed', message: 'validation_failed' },
      },
    ]);
    h.sent[2]!.answer(stored(payload(2)));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.outbox.discard('c3')).toBe(true);
    await h.store.idle();
    expect(await storage.get('outbox')).toBeNull();
    expect(h.reports).toEqual([]);
  });

  it('restores pending and failed sends in their order, and sends the pending ones again with the same ids', async () => {
    const storage = memoryStorage();
    const before = await persisted(storage, true);
    before.outbox.add(payload(1));
    before.outbox.add({ ...payload(2), replyTo: '9' });
    before.outbox.add(payload(3));
    before.sent[0]!.answer(error('conflict'));
    await vi.advanceTimersByTimeAsync(0);
    // The process dies with c2 on its way and c3 waiting (nothing runs after this).
    await before.store.idle();
    expect(before.ids()).toEqual(['c1', 'c2']);

    const after = await persisted(storage);
    expect(after.outbox.list()).toMatchObject([
      { clientMsgId: 'c1', status: 'failed', error: { code: 'conflict' } },
      { clientMsgId: 'c2', status: 'pending', replyTo: '9' },
      { clientMsgId: 'c3', status: 'pending' },
    ]);
    expect(after.outbox.list()[0]!.error).toBeInstanceOf(SyncTalkError);
    expect(after.sent).toHaveLength(0);
    after.setConnected(true);
    after.outbox.flush();
    expect(after.sent.map((s) => s.payload)).toEqual([{ ...payload(2), replyTo: '9' }]);
    after.sent[0]!.answer(stored(payload(2), 1));
    await vi.advanceTimersByTimeAsync(0);
    after.sent[1]!.answer(stored(payload(3), 2));
    await vi.advanceTimersByTimeAsync(0);
    expect(after.ids()).toEqual(['c2', 'c3']);
    await after.store.idle();
    expect(await storedIds(storage)).toEqual(['c1']);
  });

  it('keeps what it holds in storage when closed, even a send made just before', async () => {
    const storage = memoryStorage();
    const h = await persisted(storage);
    const send = h.outbox.add(payload(1));
    h.outbox.close(new Error('closed'));
    await expect(send).rejects.toThrow('closed');
    await h.store.idle();
    expect(await storedIds(storage)).toEqual(['c1']);
  });

  it('shares a storage with another outbox (another tab) without dropping its sends', async () => {
    const storage = memoryStorage();
    const a = await persisted(storage, true);
    const b = await persisted(storage);
    a.outbox.add(payload(1));
    b.outbox.add(payload(2));
    a.outbox.add(payload(3));
    await Promise.all([a.store.idle(), b.store.idle()]);
    // Each outbox's sends in its order (the tabs' writes went one after the other).
    expect(await storedIds(storage)).toEqual(['c1', 'c3', 'c2']);
    a.sent[0]!.answer(stored(payload(1)));
    await vi.advanceTimersByTimeAsync(0);
    await a.store.idle();
    expect(await storedIds(storage)).toEqual(['c3', 'c2']);
    // A third tab restores both tabs' sends: sending one twice is harmless (same clientMsgId).
    const c = await persisted(storage);
    expect(c.outbox.list().map((o) => o.clientMsgId)).toEqual(['c3', 'c2']);
  });

  it('reports a storage that fails, and writes again on the next change', async () => {
    const memory = memoryStorage();
    let broken = true;
    const storage: KeyValueStorage = {
      get: (key) => memory.get(key),
      set: (key, value) => (broken ? Promise.reject(new Error('quota exceeded')) : memory.set(key, value)),
      delete: (key) => memory.delete(key),
    };
    const h = await persisted(storage);
    h.outbox.add(payload(1));
    await h.store.idle();
    expect(h.reports).toMatchObject([{ message: 'quota exceeded' }]);
    broken = false;
    h.outbox.add(payload(2));
    await h.store.idle();
    expect(await storedIds(memory)).toEqual(['c1', 'c2']);
  });

  it('ignores what it cannot read', async () => {
    const storage = memoryStorage();
    await storage.set('outbox', 'not json');
    expect((await persisted(storage)).outbox.list()).toEqual([]);
    await storage.set(
      'outbox',
      JSON.stringify({ sends: [{ roomId: '1' }, { ...payload(1), createdAt: 'x', status: 'pending' }] }),
    );
    expect((await persisted(storage)).outbox.list().map((o) => o.clientMsgId)).toEqual(['c1']);
  });
});
