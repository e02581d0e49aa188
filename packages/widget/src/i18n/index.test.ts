import { describe, expect, it } from 'vitest';
import { en } from './en.js';
import { ko } from './ko.js';
import { pickLocale, strings } from './index.js';

describe('locales', () => {
  it('picks Korean for any ko tag and English otherwise', () => {
    expect(pickLocale('ko-KR')).toBe('ko');
    expect(pickLocale('KO')).toBe('ko');
    expect(pickLocale('en-US')).toBe('en');
    expect(pickLocale('fr')).toBe('en');
    expect(pickLocale(undefined)).toBe('en');
  });

  it('has every English key in Korean, of the same kind', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(typeof ko[key], key).toBe(typeof en[key]);
    }
    expect(strings('ko').online(3)).toBe('3명 접속 중');
    expect(strings('en').unread(1)).toBe('1 unread message');
    expect(strings('en').unread(2)).toBe('2 unread messages');
    expect(strings('en').members(1204)).toBe('1,204 members');
    expect(strings('ko').members(1)).toBe('멤버 1명');
  });
});
