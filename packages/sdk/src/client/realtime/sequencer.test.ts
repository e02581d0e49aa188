import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageSequencer, type Sequenced } from './sequencer.js';

interface Item extends Sequenced {
  copy?: number;
}

const item = (seq: number, copy = 0): Item => ({ seq: String(seq), copy });
const seqs = (items: Item[]) => items.map((i) => Number(i.seq));

describe('MessageSequencer', () => {
  it('delivers the next seq at once and drops what was already delivered', () => {
    const s = new MessageSequencer<Item>('4');
    expect(seqs(s.push([item(5)]))).toEqual([5]);
    expect(s.push([item(5), item(3), item(4)])).toEqual([]);
    expect(s.lastSeq).toBe('5');
  });

  it('holds messages back behind a gap and names the gap', () => {
    const s = new MessageSequencer<Item>('4');
    expect(seqs(s.push([item(5), item(8), item(7)]))).toEqual([5]);
    expect(s.gap()).toEqual({ after: '5', before: '7' });
    expect(s.heldCount).toBe(2);
    expect(seqs(s.push([item(6)]))).toEqual([6, 7, 8]);
    expect(s.gap()).toBeNull();
    expect(s.heldCount).toBe(0);
  });

  it('keeps the first copy of a held seq', () => {
    const s = new MessageSequencer<Item>('0');
    s.push([item(2, 1), item(2, 2)]);
    expect(s.push([item(1)])).toEqual([item(1), item(2, 1)]);
  });

  it('holds everything until started, then drops what the start covers', () => {
    const s = new MessageSequencer<Item>();
    expect(s.started).toBe(false);
    expect(s.push([item(9), item(7), item(8)])).toEqual([]);
    expect(s.gap()).toBeNull();
    expect(seqs(s.start('7'))).toEqual([8, 9]);
    expect(s.lastSeq).toBe('9');
  });

  it('never moves back when started twice', () => {
    const s = new MessageSequencer<Item>('10');
    expect(s.start('3')).toEqual([]);
    expect(s.lastSeq).toBe('10');
  });

  it('skips a gap the server cannot fill', () => {
    const s = new MessageSequencer<Item>('1');
    s.push([item(4), item(5)]);
    expect(seqs(s.skipTo('3'))).toEqual([4, 5]);
  });

  it('compares seqs as 64-bit numbers, not as strings or doubles', () => {
    const big = 9007199254740993n; // 2^53 + 1: not representable as a double
    const s = new MessageSequencer<Item>((big - 1n).toString());
    const next = { seq: big.toString() };
    const after = { seq: (big + 1n).toString() };
    expect(s.push([after, next])).toEqual([next, after]);
    const t = new MessageSequencer<Item>('9');
    expect(seqs(t.push([item(10)]))).toEqual([10]); // "10" < "9" as strings
  });

  it('ignores items whose seq is not a sequence number and refuses such a start', () => {
    const s = new MessageSequencer<Item>('0');
    expect(s.push([{ seq: '1.5' }, { seq: '-1' }, { seq: '' }, { seq: '01' }])).toEqual([]);
    expect(() => new MessageSequencer<Item>('x')).toThrow(RangeError);
  });
});

/**
 * Property: whatever the interleaving of sources — duplicates, reordering, gaps, a late start — a consumer
 * that fills every gap it is told about ends up with each seq after the start exactly once, in order.
 */
describe('MessageSequencer (property)', () => {
  // An arrival: a batch of seqs from some source (live, join answer, history page, send ack), or a gap fill.
  const arrival = (max: number) =>
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc
          .array(fc.integer({ min: 1, max }), { minLength: 1, maxLength: 6 })
          .map((b) => ({ kind: 'batch' as const, seqs: b })),
      },
      { weight: 1, arbitrary: fc.constant({ kind: 'fill' as const }) },
    );

  const scenario = fc.integer({ min: 1, max: 40 }).chain((max) =>
    fc.record({
      max: fc.constant(max),
      start: fc.integer({ min: 0, max }),
      // when the start becomes known: before the first arrival, or after some of them
      startAfter: fc.option(fc.nat({ max: 20 }), { nil: undefined }),
      arrivals: fc.array(arrival(max), { maxLength: 30 }),
    }),
  );

  it('delivers every seq after the start exactly once and in order, whatever arrives when', () => {
    fc.assert(
      fc.property(scenario, ({ max, start, startAfter, arrivals }) => {
        const s = new MessageSequencer<Item>(startAfter === undefined ? String(start) : null);
        const delivered: number[] = [];
        const take = (items: Item[]) => delivered.push(...seqs(items));
        // What a gap fill fetches: the seqs between the gap's ends (the server's history is gap-free).
        const fill = () => {
          const gap = s.gap();
          if (!gap) return;
          const from = Number(gap.after) + 1;
          const to = Number(gap.before) - 1;
          const page: Item[] = [];
          for (let n = to; n >= from; n -= 1) page.push(item(n)); // deliberately out of order
          take(s.push(page));
        };
        arrivals.forEach((a, i) => {
          if (startAfter !== undefined && i === startAfter) take(s.start(String(start)));
          if (a.kind === 'batch') take(s.push(a.seqs.map((n) => item(n))));
          else fill();
          // Invariant at every step: a gap-free run right after the start, nothing twice.
          expect(delivered).toEqual(delivered.map((_, k) => start + 1 + k));
        });
        if (startAfter !== undefined && startAfter >= arrivals.length) take(s.start(String(start)));
        // Finally fill every gap: then everything that arrived above the start is out, and nothing is held.
        for (let round = 0; s.gap() && round <= max; round += 1) fill();
        expect(s.gap()).toBeNull();
        const arrived = arrivals.flatMap((a) => (a.kind === 'batch' ? a.seqs : []));
        const highest = Math.max(start, ...arrived);
        expect(delivered).toEqual(Array.from({ length: highest - start }, (_, k) => start + 1 + k));
        expect(s.heldCount).toBe(0);
        expect(s.lastSeq).toBe(String(highest));
        expect(highest).toBeLessThanOrEqual(max);
      }),
      { numRuns: 500 },
    );
  });

  it('delivers the first copy seen of each seq', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1, max: 15 }), fc.nat({ max: 3 })), { maxLength: 60 }),
        (arrivals) => {
          const s = new MessageSequencer<Item>('0');
          const delivered: Item[] = [];
          for (const [seq, copy] of arrivals) delivered.push(...s.push([item(seq, copy)]));
          for (const d of delivered) {
            const first = arrivals.find(([seq]) => seq === Number(d.seq))!;
            expect(d.copy).toBe(first[1]);
          }
        },
      ),
    );
  });
});
