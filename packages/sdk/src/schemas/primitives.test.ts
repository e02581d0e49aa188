import { describe, expect, it } from 'vitest';
import { codePoints, httpUrl, id, queryInt, text } from './primitives.js';

describe('text()', () => {
  const title = text({ max: 5 });
  it('trims, normalises to NFC and counts code points', () => {
    expect(title.parse('  cafe\u0301 ')).toBe('café');
    expect(title.parse('😀😀😀😀😀')).toBe('😀😀😀😀😀');
    expect(codePoints('😀')).toBe(1);
  });
  it('refuses NUL and other control characters, and newlines unless multiline', () => {
    expect(title.safeParse('a\u0000b').success).toBe(false);
    expect(title.safeParse('a\u001bb').success).toBe(false);
    expect(title.safeParse('a\nb').success).toBe(false);
    expect(text({ max: 5, multiline: true }).parse('a\nb')).toBe('a\nb');
  });
  it('enforces bounds', () => {
    expect(title.safeParse('   ').success).toBe(false);
    expect(title.safeParse('123456').success).toBe(false);
  });
});

describe('httpUrl', () => {
  it('accepts http(s) URLs only, without credentials or control characters', () => {
    expect(httpUrl.safeParse('https://cdn.example/a.png').success).toBe(true);
    expect(httpUrl.safeParse('javascript:alert(1)').success).toBe(false);
    expect(httpUrl.safeParse('https://u:p@cdn.example/a.png').success).toBe(false);
    expect(httpUrl.safeParse('https://cdn.example/a\u0000.png').success).toBe(false);
    expect(httpUrl.safeParse('https://cdn.example/a b.png').success).toBe(false);
  });
});

describe('id and queryInt', () => {
  it('accept decimal ids and bounded integers only', () => {
    expect(id.safeParse('42').success).toBe(true);
    expect(id.safeParse('042').success).toBe(false);
    expect(id.safeParse('1; DROP TABLE rooms').success).toBe(false);
    const limit = queryInt({ min: 1, max: 100, default: 20 });
    expect(limit.parse(undefined)).toBe(20);
    expect(limit.parse('100')).toBe(100);
    expect(limit.safeParse('101').success).toBe(false);
    expect(limit.safeParse('-1').success).toBe(false);
    expect(limit.safeParse('1e3').success).toBe(false);
  });
});
