import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from './errors.js';
import { cursorCodec, fetchLimit, keysetPage, takePage } from './pagination.js';

const key = 'k'.repeat(40);
const schema = z.strictObject({ s: z.literal('newest'), id: z.string() });

function code(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return error instanceof AppError ? error.code : 'other';
  }
}

describe('cursorCodec', () => {
  const codec = cursorCodec(key, 'rooms');

  it('round-trips a payload for the same scope', () => {
    const c = codec.encode('site1', { s: 'newest', id: '42' });
    expect(c).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(codec.decode('site1', c, schema)).toEqual({ s: 'newest', id: '42' });
  });

  it('rejects another scope, another purpose, another key, edits and garbage with validation_failed', () => {
    const c = codec.encode('site1', { s: 'newest', id: '42' });
    expect(code(() => codec.decode('site2', c, schema))).toBe('validation_failed');
    expect(code(() => cursorCodec(key, 'members').decode('site1', c, schema))).toBe('validation_failed');
    expect(code(() => cursorCodec('x'.repeat(40), 'rooms').decode('site1', c, schema))).toBe(
      'validation_failed',
    );
    const [body, mac] = c.split('.') as [string, string];
    const edited = Buffer.from(JSON.stringify({ s: 'newest', id: '1' })).toString('base64url');
    expect(code(() => codec.decode('site1', `${edited}.${mac}`, schema))).toBe('validation_failed');
    const flipped = `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    expect(code(() => codec.decode('site1', `${body}.${flipped}`, schema))).toBe('validation_failed');
    for (const garbage of ['', 'abc', '....', 'a'.repeat(5000), `${body}`, `${body}.`, '🙂.🙂']) {
      expect(code(() => codec.decode('site1', garbage, schema))).toBe('validation_failed');
    }
  });

  it('rejects a validly signed payload of the wrong shape', () => {
    const c = codec.encode('site1', { s: 'title', id: '42' });
    expect(code(() => codec.decode('site1', c, schema))).toBe('validation_failed');
  });
});

describe('takePage', () => {
  it('keeps `limit` rows and says whether more were fetched', () => {
    expect(takePage([1, 2, 3], 2)).toEqual({ page: [1, 2], hasMore: true });
    expect(takePage([1, 2], 2)).toEqual({ page: [1, 2], hasMore: false });
    expect(takePage([1], 2)).toEqual({ page: [1], hasMore: false });
    expect(takePage([], 2)).toEqual({ page: [], hasMore: false });
  });
});

describe('keysetPage', () => {
  const rows = Array.from({ length: 7 }, (_, i) => ({ id: i + 1 }));
  const fetchAfter = (after: number) => async (n: number) => rows.filter((r) => r.id > after).slice(0, n);

  it('asks for one row more than the page and builds nextCursor from the last row kept', async () => {
    const asked: number[] = [];
    const result = await keysetPage(
      3,
      (n) => {
        asked.push(n);
        return fetchAfter(0)(n);
      },
      (last) => `after-${last.id}`,
    );
    expect(asked).toEqual([fetchLimit(3)]);
    expect(fetchLimit(3)).toBe(4);
    expect(result).toEqual({ page: [{ id: 1 }, { id: 2 }, { id: 3 }], nextCursor: 'after-3' });
  });

  it('walks every row exactly once and ends with a null cursor, also when the last page is full', async () => {
    for (const limit of [1, 2, 3, 7, 10]) {
      const seen: number[] = [];
      let after = 0;
      for (;;) {
        const { page, nextCursor } = await keysetPage(limit, fetchAfter(after), (last) => String(last.id));
        seen.push(...page.map((r) => r.id));
        if (nextCursor === null) break;
        after = Number(nextCursor);
      }
      expect(seen).toEqual(rows.map((r) => r.id));
    }
  });
});
