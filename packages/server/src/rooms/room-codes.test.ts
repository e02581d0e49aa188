import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, newRoomCode, normalizeRoomCode } from './room-codes.js';

describe('room codes', () => {
  it('draws 8 characters from the unambiguous alphabet', () => {
    for (const ch of '01ILOU') expect(CODE_ALPHABET).not.toContain(ch);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i += 1) {
      const code = newRoomCode();
      expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTVWXYZ]{8}$/);
      seen.add(code);
    }
    expect(seen.size).toBe(2000);
  });

  it('normalises case, spaces and dashes and rejects what cannot be a code', () => {
    expect(normalizeRoomCode(' abcd-2345 ')).toBe('ABCD2345');
    expect(normalizeRoomCode('ABCD 2345')).toBe('ABCD2345');
    expect(normalizeRoomCode('ABCD234')).toBeUndefined();
    expect(normalizeRoomCode('ABCD23450')).toBeUndefined();
    expect(normalizeRoomCode('ABCD2340')).toBeUndefined(); // 0 is not in the alphabet
    expect(normalizeRoomCode("' OR 1=1")).toBeUndefined();
  });
});
