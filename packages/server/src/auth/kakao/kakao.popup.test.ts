import { describe, expect, it } from 'vitest';
import { scriptJson } from './kakao.popup.js';

describe('popup page encoding', () => {
  it('makes JSON inert inside a script element and still parseable', () => {
    const value = { name: '</script><!-- & \u2028\u2029 >' };
    const encoded = scriptJson(value);
    expect(encoded).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(encoded)).toEqual(value);
  });
});
