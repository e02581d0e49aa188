import { describe, expect, it } from 'vitest';
import { isOwnOrigin, requestOrigin, serverBaseUrl, type OriginRequest } from './own-origin.js';

const req = (headers: Record<string, string>, encrypted = false, remoteAddress = '10.0.0.2'): OriginRequest =>
  ({ headers, socket: { encrypted, remoteAddress } }) as unknown as OriginRequest;

describe('requestOrigin', () => {
  it('is the origin the Host names, serialized as browsers send Origin', () => {
    expect(requestOrigin(req({ host: '127.0.0.1:3000' }), false)).toBe('http://127.0.0.1:3000');
    expect(requestOrigin(req({ host: 'Chat.Example.COM' }), false)).toBe('http://chat.example.com');
    expect(requestOrigin(req({ host: 'chat.example.com:80' }), false)).toBe('http://chat.example.com');
    expect(requestOrigin(req({ host: '[::1]:3000' }), false)).toBe('http://[::1]:3000');
    expect(requestOrigin(req({ host: 'chat.example.com:443' }, true), false)).toBe(
      'https://chat.example.com',
    );
  });

  it('reads the first X-Forwarded-Proto / X-Forwarded-Host only when proxies are trusted', () => {
    const forwarded = req({
      host: '10.0.0.5:3000',
      'x-forwarded-proto': 'HTTPS, http',
      'x-forwarded-host': 'chat.example.com, 10.0.0.5',
    });
    expect(requestOrigin(forwarded, { hops: 1 })).toBe('https://chat.example.com');
    expect(requestOrigin(forwarded, false)).toBe('http://10.0.0.5:3000');
    expect(requestOrigin(req({ host: 'a.example', 'x-forwarded-proto': 'https' }), { hops: 1 })).toBe(
      'https://a.example',
    );
  });

  it('with a list of proxies, reads them only from a peer in the list', () => {
    const headers = {
      host: '10.0.0.5:3000',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'chat.example.com',
    };
    const trust = { cidrs: ['10.0.0.0/8'] };
    expect(requestOrigin(req(headers, false, '10.0.0.2'), trust)).toBe('https://chat.example.com');
    expect(requestOrigin(req(headers, false, '::ffff:10.0.0.2'), trust)).toBe('https://chat.example.com');
    expect(requestOrigin(req(headers, false, '198.51.100.9'), trust)).toBe('http://10.0.0.5:3000');
  });

  it('makes no origin of a missing or malformed host or an unknown scheme', () => {
    for (const host of [
      '',
      'evil.example/path',
      'user@evil.example',
      'a.example:99999',
      'a b',
      'a.example?x',
    ]) {
      expect(requestOrigin(req({ host }), false), host).toBeUndefined();
    }
    expect(
      requestOrigin(req({ host: 'a.example', 'x-forwarded-proto': 'ftp' }), { hops: 1 }),
    ).toBeUndefined();
  });
});

describe('isOwnOrigin', () => {
  it("is PUBLIC_URL's origin when set, else the request's, nothing else", () => {
    const r = req({ host: '127.0.0.1:3000' });
    const options = { trustProxy: false as const, publicUrl: 'https://chat.example.com/base/' };
    expect(isOwnOrigin('https://chat.example.com', r, options)).toBe(true);
    // A configured public URL is the only own origin: a Host header can name anything (DNS rebinding).
    expect(isOwnOrigin('http://127.0.0.1:3000', r, options)).toBe(false);
    expect(isOwnOrigin('http://127.0.0.1:3000', r, { trustProxy: false, publicUrl: undefined })).toBe(true);
    for (const other of [
      'http://127.0.0.1:3001',
      'https://127.0.0.1:3000',
      'http://localhost:3000',
      'null',
    ]) {
      expect(isOwnOrigin(other, r, options), other).toBe(false);
    }
    expect(isOwnOrigin('https://chat.example.com', r, { trustProxy: false, publicUrl: undefined })).toBe(
      false,
    );
  });
});

describe('serverBaseUrl', () => {
  it('is PUBLIC_URL without its trailing slash, else the request origin', () => {
    const r = req({ host: '127.0.0.1:3000' });
    expect(serverBaseUrl(r, { trustProxy: false, publicUrl: 'https://chat.example.com/base/' })).toBe(
      'https://chat.example.com/base',
    );
    expect(serverBaseUrl(r, { trustProxy: false, publicUrl: undefined })).toBe('http://127.0.0.1:3000');
  });
});
