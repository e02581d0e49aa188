import { describe, expect, it } from 'vitest';
import { AdmissionGate, type Admitted } from './admission-gate.js';

function clock(start = 1000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const admitted = (gate: AdmissionGate): Admitted => {
  const entry = gate.enter();
  if (!entry.admitted) throw new Error(`refused: ${entry.reason}`);
  return entry;
};

describe('admission gate', () => {
  it('admits at most max at once and refuses the next as full, until a place is released', () => {
    const gate = new AdmissionGate({ max: 3, maxWaitMs: 60_000 });
    const places = [admitted(gate), admitted(gate), admitted(gate)];
    expect(gate.inProgress).toBe(3);
    expect(gate.enter()).toEqual({ admitted: false, reason: 'full' });
    expect(gate.enter()).toEqual({ admitted: false, reason: 'full' });
    expect(gate.refused).toEqual({ full: 2, behind: 0 });

    places[1]!.release();
    expect(gate.inProgress).toBe(2);
    admitted(gate);
    expect(gate.enter()).toMatchObject({ admitted: false, reason: 'full' });
    expect(gate.refused.full).toBe(3);
  });

  it('counts a place once however often it is released', () => {
    const gate = new AdmissionGate({ max: 2, maxWaitMs: 60_000 });
    const first = admitted(gate);
    admitted(gate);
    first.release();
    first.release();
    expect(gate.inProgress).toBe(1);
    admitted(gate);
    expect(gate.enter().admitted).toBe(false);
  });

  it('refuses as behind while busy and the oldest in progress waited over maxWaitMs', () => {
    const t = clock();
    // Busy from 2 in progress (an eighth of 16).
    const gate = new AdmissionGate({ max: 16, maxWaitMs: 500, now: t.now });
    const oldest = admitted(gate);
    t.advance(300);
    const second = admitted(gate);
    t.advance(200);
    expect(gate.oldestWaitMs()).toBe(500);
    admitted(gate).release(); // not over yet: exactly maxWaitMs
    t.advance(1);
    expect(gate.enter()).toEqual({ admitted: false, reason: 'behind' });
    expect(gate.refused).toEqual({ full: 0, behind: 1 });

    // The oldest answered: the next oldest has waited 201 ms, so the gate admits again.
    oldest.release();
    expect(gate.oldestWaitMs()).toBe(201);
    const third = admitted(gate);
    t.advance(300);
    expect(gate.enter()).toMatchObject({ reason: 'behind' });
    second.release();
    expect(gate.oldestWaitMs()).toBe(300);
    third.release();
    expect(gate.oldestWaitMs()).toBe(0);
  });

  it('lets one slow call on a quiet node wait without refusing others', () => {
    const t = clock();
    const gate = new AdmissionGate({ max: 16, maxWaitMs: 500, now: t.now });
    const slow = admitted(gate);
    t.advance(10_000);
    // One in progress is below the busy mark (2): the next is admitted though the oldest waited 10 s.
    const next = admitted(gate);
    // Now two are: the node is behind.
    expect(gate.enter()).toMatchObject({ admitted: false, reason: 'behind' });
    slow.release();
    next.release();
    expect(gate.inProgress).toBe(0);
    admitted(gate);
  });

  it('applies the wait bound from one in progress when max is small', () => {
    const t = clock();
    const gate = new AdmissionGate({ max: 5, maxWaitMs: 100, now: t.now });
    admitted(gate);
    t.advance(101);
    expect(gate.enter()).toMatchObject({ admitted: false, reason: 'behind' });
  });
});
