import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { codePointLength, linkify, preview, safeHref } from './text.js';

describe('linkify', () => {
  it('finds http and https links and leaves the rest as text', () => {
    expect(linkify('see https://example.com/a?b=1, then http://x.test.')).toEqual([
      { kind: 'text', text: 'see ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ', then ' },
      { kind: 'link', text: 'http://x.test', href: 'http://x.test/' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('never makes links of other schemes', () => {
    const parts = linkify('javascript:alert(1) data:text/html,<b>x</b> ftp://a.b');
    expect(parts.every((p) => p.kind === 'text')).toBe(true);
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref('https://ok.example')).toBe('https://ok.example/');
  });

  it('keeps a parenthesis that belongs to the URL', () => {
    const [link] = linkify('https://en.wikipedia.org/wiki/Foo_(bar)');
    expect(link).toMatchObject({ kind: 'link', text: 'https://en.wikipedia.org/wiki/Foo_(bar)' });
    expect(linkify('(https://a.example)')[1]).toMatchObject({ text: 'https://a.example' });
  });

  it('loses no character of any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.webUrl(), fc.string(), (a, url, b) => {
        const text = `${a} ${url} ${b}`;
        expect(
          linkify(text)
            .map((p) => p.text)
            .join(''),
        ).toBe(text);
      }),
    );
  });
});

describe('text helpers', () => {
  it('counts code points like the server', () => {
    expect(codePointLength('한글😀')).toBe(3);
  });

  it('previews on one line, shortened', () => {
    expect(preview('a\n\n b', 10)).toBe('a b');
    expect(preview('abcdefghijkl', 5)).toBe('abcd…');
  });
});
