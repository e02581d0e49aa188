import { describe, expect, it } from 'vitest';
import { plural } from './plural.js';

describe('plural', () => {
  const members = { one: '# member', other: '# members' };

  it('picks the form the locale selects for the number', () => {
    expect(plural('en', 1, members)).toBe('1 member');
    expect(plural('en', 0, members)).toBe('0 members');
    expect(plural('en', 2, members)).toBe('2 members');
  });

  it('writes the number as the locale does', () => {
    expect(plural('en', 1204, members)).toBe('1,204 members');
    expect(plural('ko', 1204, { other: '멤버 #명' })).toBe('멤버 1,204명');
  });

  it('falls back to other for a form the phrase does not list', () => {
    // Korean selects `other` for every count; English `one` is unused there.
    expect(plural('ko', 1, { other: '멤버 #명' })).toBe('멤버 1명');
    // Arabic selects `two` for 2; a phrase without it uses `other`.
    expect(plural('ar', 2, { one: 'one', other: 'many' })).toBe('many');
  });
});
