import { describe, expect, it } from 'vitest';
import { displayName, newPassword, presentedPassword, updateMeBody, username } from './auth.js';

const ok = <T>(schema: { safeParse(v: unknown): { success: boolean; data?: T } }, value: unknown) => {
  const r = schema.safeParse(value);
  expect(r.success, JSON.stringify(value)).toBe(true);
  return r.data as T;
};
const bad = (
  schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } },
  value: unknown,
) => {
  const r = schema.safeParse(value);
  expect(r.success, JSON.stringify(value)).toBe(false);
  return r.error!.issues[0]!.message;
};

describe('username', () => {
  it('accepts 3-32 ASCII letters, digits, "_", "." and "-", starting with a letter or digit', () => {
    for (const v of ['abc', 'ABC', '123', 'a_b', 'a.b', 'a-b', 'a'.repeat(32), '0-x_Y.z'])
      expect(ok(username, v)).toBe(v);
  });
  it('trims surrounding whitespace', () => {
    expect(ok(username, '  alice\t')).toBe('alice');
  });
  it('explains length and character problems', () => {
    expect(bad(username, 'ab')).toBe('must be 3 to 32 characters');
    expect(bad(username, 'a'.repeat(33))).toBe('must be 3 to 32 characters');
    expect(bad(username, '_abc')).toMatch(/must start with a letter or digit/);
    for (const v of ['a b', 'a@b', 'é-abc', 'ｱｲｳ', 'a\u0000b', "a';--"])
      expect(bad(username, v)).toMatch(/may contain only/);
  });
});

describe('passwords', () => {
  it('counts the maximum in UTF-8 bytes and the minimum in characters', () => {
    expect(ok(newPassword, 'a'.repeat(72))).toHaveLength(72);
    expect(bad(newPassword, 'a'.repeat(73))).toMatch(/at most 72 bytes in UTF-8 \(this one is 73\)/);
    expect(ok(newPassword, 'ß'.repeat(36))).toHaveLength(36); // 72 bytes
    expect(bad(newPassword, 'ß'.repeat(37))).toMatch(/74/);
    expect(ok(newPassword, '€'.repeat(24))).toHaveLength(24); // 3 bytes each
    expect(bad(newPassword, '1234567')).toBe('must be at least 8 characters');
    expect(bad(newPassword, '🔑🔑🔑🔑🔑🔑🔑')).toBe('must be at least 8 characters'); // 28 bytes, 7 characters
  });
  it('never trims', () => {
    expect(ok(newPassword, '  padded  ')).toBe('  padded  ');
  });
  it('normalises to NFC so the same password typed on different systems matches', () => {
    const decomposed = 'cafe\u0301-password';
    expect(ok(newPassword, decomposed)).toBe('caf\u00e9-password');
    expect(ok(presentedPassword, decomposed)).toBe(ok(presentedPassword, 'caf\u00e9-password'));
  });
  it('refuses NUL (bcrypt would stop there) and broken UTF-16', () => {
    expect(bad(newPassword, 'password\u0000tail')).toBe('must not contain NUL characters');
    expect(bad(newPassword, 'password\uDC00')).toBe('must be valid Unicode text');
  });
  it('accepts any non-empty password at sign-in', () => {
    expect(ok(presentedPassword, 'x')).toBe('x');
    expect(bad(presentedPassword, '')).toBe('must not be empty');
  });
});

describe('display names and profile patches', () => {
  it('allows right-to-left text and emoji but not bidirectional controls', () => {
    expect(ok(displayName, 'שלום 👋')).toBe('שלום 👋');
    expect(bad(displayName, 'abc\u202Efdp.exe')).toBe('must not contain bidirectional control characters');
  });
  it('needs at least one field and takes null to clear the avatar', () => {
    expect(bad(updateMeBody, {})).toMatch(/at least one/);
    expect(ok(updateMeBody, { avatarUrl: null })).toEqual({ avatarUrl: null });
    expect(bad(updateMeBody, { avatarUrl: 'javascript:alert(1)' })).toMatch(/http\(s\) URL/);
  });
});
