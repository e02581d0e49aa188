import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../logger.js';
import { FloodPenalty } from './flood-penalty.js';
import { guardEvents, on, PARALLEL_EVENTS, type ContractSocket } from './handlers.js';

type Middleware = (packet: unknown[], next: (err?: Error) => void) => void;

/** The parts of a Socket.IO socket that `on` and `guardEvents` use; `deliver` plays an incoming event. */
class FakeSocket extends EventEmitter {
  connected = true;
  readonly id = 'fake';
  readonly conn = { transport: {} };
  private readonly middlewares: Middleware[] = [];
  use(fn: Middleware): this {
    this.middlewares.push(fn);
    return this;
  }
  disconnect(): this {
    this.connected = false;
    return this;
  }
  deliver(event: string, payload: unknown, ack: (response: unknown) => void): void {
    const packet = [event, payload, ack];
    const step = (i: number) => {
      const fn = this.middlewares[i];
      if (!fn) return void this.emit(event, payload, ack);
      fn(packet, () => step(i + 1));
    };
    step(0);
  }
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function guarded() {
  const socket = new FakeSocket();
  const logger = createLogger('silent');
  const contract = socket as unknown as ContractSocket;
  const started: number[] = [];
  const gates: (() => void)[] = [];
  const schemas = { 'room:join': z.object({ roomId: z.string() }) };
  on(contract, logger, 'room:join', schemas as never, async (payload: { roomId: string }) => {
    started.push(Number(payload.roomId));
    await new Promise<void>((resolve) => gates.push(resolve));
    return { ok: true } as never;
  });
  guardEvents(
    contract,
    logger,
    { eventRate: 1e6, eventBurst: 1e6, queueMax: 1e6, floodDisconnect: 1e6 },
    new FloodPenalty(1000),
    { id: 'u1', siteId: 's1' },
  );
  const answers: unknown[] = [];
  const send = (i: number) => socket.deliver('room:join', { roomId: String(i) }, (r) => answers.push(r));
  return { started, gates, answers, send };
}

describe('guardEvents: a connection sending faster than it is served', () => {
  it('starts its waiting events only once it pauses, not while it keeps sending', async () => {
    const { started, gates, send } = guarded();
    let n = 0;
    for (; n < PARALLEL_EVENTS + 3; n += 1) send(n);
    await turn();
    expect(started).toEqual([0, 1, 2, 3]);
    // The running ones finish while the client goes on sending, one event each turn, for 60 ms: the waiting
    // ones do not start, though slots are free.
    for (const open of gates.splice(0)) open();
    const until = Date.now() + 60;
    while (Date.now() < until) {
      send(n);
      n += 1;
      await turn();
    }
    expect(started).toEqual([0, 1, 2, 3]);
    // It pauses: the waiting ones start, in arrival order, as many at a time as may run.
    await sleep(50);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    for (const open of gates.splice(0)) open();
  });

  it('starts events at once while it sends no faster than they finish', async () => {
    const { started, gates, send, answers } = guarded();
    for (let i = 0; i < 10; i += 1) {
      send(i);
      await turn();
      expect(started).toEqual(Array.from({ length: i + 1 }, (_, k) => k));
      gates.shift()!();
      await turn();
    }
    expect(answers).toHaveLength(10);
  });
});
