import { describe, expect, it } from 'vitest';
import { escapeHtml, scriptJson } from './kakao.popup.js';

describe('popup page encoding', () => {
  it('makes JSON inert inside a script element and still parseable', () => {
    const value = { name: '</script><!-- & \u2028\u2029 >' };
    const encoded = scriptJson(value);
    expect(encoded).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(encoded)).toEqual(value);
  });

  it('escapes HTML text', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
