import { describe, expect, it, vi } from 'vitest';
import { EventQueue } from './event-queue.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('event queue', () => {
  it('admits at most max events until they finish', async () => {
    const queue = new EventQueue({ max: 3, parallel: 3 });
    expect([queue.admit(), queue.admit(), queue.admit(), queue.admit()]).toEqual([true, true, true, false]);
    const gate = deferred();
    const runs = [0, 1, 2].map(() => queue.run(() => gate.promise));
    expect(queue.size).toBe(3);
    gate.resolve();
    await Promise.all(runs);
    expect(queue.size).toBe(0);
    expect(queue.admit()).toBe(true);
  });

  it('runs at most `parallel` at once, the others in arrival order', async () => {
    const queue = new EventQueue({ max: 10, parallel: 2 });
    const gates = Array.from({ length: 5 }, () => deferred());
    const started: number[] = [];
    const runs = gates.map((gate, i) => {
      queue.admit();
      return queue.run(async () => {
        started.push(i);
        await gate.promise;
      });
    });
    await tick();
    expect(started).toEqual([0, 1]);
    gates[1]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.resolve();
    gates[2]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    gates[3]!.resolve();
    gates[4]!.resolve();
    await Promise.all(runs);
    expect(queue.size).toBe(0);
  });

  it('gives the place back when a task fails, and never rejects', async () => {
    const queue = new EventQueue({ max: 1, parallel: 1 });
    expect(queue.admit()).toBe(true);
    await expect(queue.run(() => Promise.reject(new Error('boom')))).resolves.toBeUndefined();
    expect(queue.size).toBe(0);
    expect(queue.admit()).toBe(true);
    let ran = false;
    await queue.run(async () => {
      ran = true;
    });
    expect(ran).toBe(true);
  });

  it('lowers the bound for the waiting events, lets running ones finish, and restores it', async () => {
    const queue = new EventQueue({ max: 10, parallel: 3 });
    const gates = Array.from({ length: 6 }, () => deferred());
    const started: number[] = [];
    const runs = gates.map((gate, i) => {
      queue.admit();
      return queue.run(async () => {
        started.push(i);
        await gate.promise;
      });
    });
    await tick();
    expect(started).toEqual([0, 1, 2]);
    queue.limit(1);
    gates[0]!.resolve();
    gates[1]!.resolve();
    await tick();
    // Two finished; one allowed and one still running, so nothing new starts.
    expect(started).toEqual([0, 1, 2]);
    expect(queue.active).toBe(1);
    gates[2]!.resolve();
    await tick();
    expect(started).toEqual([0, 1, 2, 3]);
    expect(queue.active).toBe(1);
    queue.limit(99);
    await tick();
    // Restored to the bound it was made with (3), not beyond.
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(queue.active).toBe(3);
    for (const gate of gates) gate.resolve();
    await Promise.all(runs);
    expect(queue.size).toBe(0);
    expect(queue.active).toBe(0);
  });
  it('starts no waiting event while held, until the hold has lasted since its last renewal', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const queue = new EventQueue({ max: 10, parallel: 2 });
      const gate = deferred();
      const started: number[] = [];
      const runs = [0, 1, 2].map((i) => {
        queue.admit();
        return queue.run(async () => {
          started.push(i);
          await gate.promise;
        });
      });
      expect(started).toEqual([0, 1]);
      queue.hold(40);
      expect(queue.held).toBe(true);
      // A running event that finishes does not hand its slot on while held.
      gate.resolve();
      await tick();
      await tick();
      expect(started).toEqual([0, 1]);
      // Renewed before it ran out: still held past the first deadline.
      await vi.advanceTimersByTimeAsync(25);
      queue.hold(40);
      await vi.advanceTimersByTimeAsync(25);
      expect(started).toEqual([0, 1]);
      expect(queue.held).toBe(true);
      await vi.advanceTimersByTimeAsync(15);
      // Run out: confirmed at the end of the next turn (nothing renewed it meanwhile).
      await tick();
      await tick();
      expect(queue.held).toBe(false);
      await tick();
      expect(started).toEqual([0, 1, 2]);
      await Promise.all(runs);
      expect(queue.size).toBe(0);
      // A new event is not held any more.
      queue.admit();
      await queue.run(async () => {
        started.push(3);
      });
      expect(started).toEqual([0, 1, 2, 3]);
    } finally {
      vi.useRealTimers();
    }
  });
  it('keeps a hold that ran out in a stall when a renewal arrives in the same turn', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    try {
      const queue = new EventQueue({ max: 10, parallel: 1 });
      const gate = deferred();
      const started: number[] = [];
      const runs = [0, 1].map((i) => {
        queue.admit();
        return queue.run(async () => {
          started.push(i);
          await gate.promise;
        });
      });
      queue.hold(20);
      gate.resolve();
      await tick();
      expect(started).toEqual([0]);
      // The whole process stalls past the hold: its timer runs first in the next turn, and an event that
      // arrived during the stall is read in that turn or the next and renews the hold.
      vi.advanceTimersByTime(50);
      await tick();
      queue.hold(20);
      await tick();
      await tick();
      expect(queue.held).toBe(true);
      expect(started).toEqual([0]);
      // A turn with nothing arriving after the hold ran out ends it.
      vi.advanceTimersByTime(20);
      await tick();
      await tick();
      await tick();
      expect(queue.held).toBe(false);
      expect(started).toEqual([0, 1]);
      await Promise.all(runs);
    } finally {
      vi.useRealTimers();
    }
  });
});
