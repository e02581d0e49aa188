import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../platform/errors.js';
import { cursorCodec } from './cursor.js';

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
