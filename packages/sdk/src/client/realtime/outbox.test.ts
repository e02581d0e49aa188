import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ErrorBody } from '../../protocol/errors.js';
import type { SendMessagePayload } from '../../protocol/events.js';
import type { Message } from '../../protocol/messages.js';
import { SyncTalkError } from '../errors.js';
import { Outbox } from './outbox.js';

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
  const outbox = new Outbox({
    connected: () => connected,
    transmit: (payload) =>
      new Promise((resolve, reject) =>
        sent.push({ payload, answer: resolve, drop: () => reject(new Error('disconnected')) }),
      ),
    stored: (m) => storedMessages.push(m),
  });
  return { outbox, sent, storedMessages, setConnected: (c: boolean) => (connected = c) };
}

const payload = (n: number): SendMessagePayload => ({ roomId: '1', clientMsgId: `c${n}`, text: `t${n}` });

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('Outbox', () => {
  it('resolves with the stored message and reports it', async () => {
    const h = harness();
    const done = h.outbox.add(payload(1));
    h.sent[0]!.answer(stored(payload(1)));
    expect(await done).toMatchObject({ id: 'id-c1' });
    expect(h.storedMessages).toHaveLength(1);
    expect(h.outbox.size).toBe(0);
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

  it('waits for the next connection when disconnected, then sends everything pending in order', async () => {
    const h = harness();
    h.setConnected(false);
    const first = h.outbox.add(payload(1));
    const second = h.outbox.add(payload(2));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.sent).toHaveLength(0);
    h.setConnected(true);
    h.outbox.flush();
    expect(h.sent.map((s) => s.payload.clientMsgId)).toEqual(['c1', 'c2']);
    // The connection drops with both in flight; the next one sends both again, same ids, same order.
    h.setConnected(false);
    h.sent[0]!.drop();
    h.sent[1]!.drop();
    await vi.advanceTimersByTimeAsync(60_000);
    h.setConnected(true);
    h.outbox.flush();
    expect(h.sent.map((s) => s.payload.clientMsgId)).toEqual(['c1', 'c2', 'c1', 'c2']);
    h.sent[2]!.answer(stored(payload(1), 1));
    h.sent[3]!.answer(stored(payload(2), 2));
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

  it('waits retryAfter seconds on rate_limited, then sends the same id again', async () => {
    const h = harness();
    const done = h.outbox.add(payload(1));
    h.sent[0]!.answer(error('rate_limited', { retryAfter: 3 }));
    await vi.advanceTimersByTimeAsync(2900);
    expect(h.sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(h.sent).toHaveLength(2);
    h.sent[1]!.answer(stored(payload(1)));
    await expect(done).resolves.toBeDefined();
  });

  it('rejects at once on an error no retry can fix', async () => {
    const h = harness();
    const done = h.outbox.add(payload(1));
    h.sent[0]!.answer(error('forbidden'));
    const e = await done.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(SyncTalkError);
    expect(e).toMatchObject({ code: 'forbidden' });
    expect(h.outbox.size).toBe(0);
  });

  it('stops on abort and on failAll', async () => {
    const h = harness();
    const controller = new AbortController();
    const aborted = h.outbox.add(payload(1), controller.signal);
    const failed = h.outbox.add(payload(2));
    controller.abort(new Error('cancelled'));
    await expect(aborted).rejects.toThrow('cancelled');
    h.outbox.failAll(new Error('closed'));
    await expect(failed).rejects.toThrow('closed');
    expect(h.outbox.size).toBe(0);
  });
});
