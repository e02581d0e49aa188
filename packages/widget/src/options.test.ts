import { describe, expect, it } from 'vitest';
import { DEFAULT_Z_INDEX, OptionsError, optionsFromDataset, parseRoom, resolveOptions } from './options.js';

const defaults = { server: 'https://chat.example.com', language: 'en-US' };

describe('resolveOptions', () => {
  it('fills in defaults', () => {
    expect(resolveOptions({}, defaults)).toEqual({
      site: undefined,
      server: 'https://chat.example.com',
      room: undefined,
      locale: 'en',
      theme: 'auto',
      position: 'bottom-right',
      zIndex: DEFAULT_Z_INDEX,
      launcher: true,
      target: undefined,
      storage: 'local',
    });
  });

  it('takes data-attribute strings', () => {
    const data = {
      site: 'st_abc123',
      zIndex: '10',
      launcher: 'false',
      theme: 'dark',
      locale: 'ko-KR',
      room: 'abcd-2345',
    };
    const options = resolveOptions(optionsFromDataset(data), defaults);
    expect(options).toMatchObject({
      site: 'st_abc123',
      zIndex: 10,
      launcher: false,
      theme: 'dark',
      locale: 'ko',
    });
    expect(options.room).toEqual({ code: 'ABCD2345' });
  });

  it('names the bad option', () => {
    expect(() => resolveOptions({ site: 'nope' }, defaults)).toThrow(/site must be/);
    expect(() => resolveOptions({ theme: 'pink' as never }, defaults)).toThrow(/theme must be one of/);
    expect(() => resolveOptions({ zIndex: 1.5 }, defaults)).toThrow(/zIndex/);
    expect(() => resolveOptions({ server: 'javascript:alert(1)' }, defaults)).toThrow(
      /server must be an http/,
    );
    expect(() => resolveOptions({ launcher: 'maybe' as never }, defaults)).toThrow(OptionsError);
    expect(() => resolveOptions({}, {})).toThrow(/server must be given/);
  });

  it('normalizes the server URL', () => {
    expect(resolveOptions({ server: 'http://127.0.0.1:3000/' }, defaults).server).toBe(
      'http://127.0.0.1:3000',
    );
    expect(resolveOptions({ server: 'https://x.example/chat/' }, defaults).server).toBe(
      'https://x.example/chat',
    );
  });
});

describe('parseRoom', () => {
  it('tells ids from codes', () => {
    expect(parseRoom('42')).toEqual({ id: '42' });
    expect(parseRoom(' xyzw 2345 ')).toEqual({ code: 'XYZW2345' });
    expect(() => parseRoom('0')).toThrow(/room must be/);
    expect(() => parseRoom('ABCD0OIL')).toThrow(/room must be/);
  });
});
