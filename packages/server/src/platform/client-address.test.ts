import { describe, expect, it } from 'vitest';
import {
  clientAddress,
  forwardedFor,
  forwardedHeadersTrusted,
  isTrustedAddress,
  requestClientAddress,
} from './client-address.js';

describe('clientAddress', () => {
  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddress(false, '198.51.100.9', '203.0.113.7')).toBe('198.51.100.9');
    expect(clientAddress(false, undefined, '203.0.113.7')).toBe('');
  });

  it('with a hop count, is the entry the outermost trusted proxy appended, never one the client sent', () => {
    const peer = '10.0.0.2';
    // nginx appended the real client to a header the client forged.
    expect(clientAddress({ hops: 1 }, peer, '1.2.3.4, 203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddress({ hops: 1 }, peer, '203.0.113.7')).toBe('203.0.113.7');
    // CDN then nginx: forged, client (appended by the CDN), CDN (appended by nginx).
    expect(clientAddress({ hops: 2 }, peer, '1.2.3.4, 203.0.113.7, 192.0.2.1')).toBe('203.0.113.7');
    // Repeated headers are one list.
    expect(clientAddress({ hops: 1 }, peer, ['1.2.3.4', '203.0.113.7'])).toBe('203.0.113.7');
    // Fewer entries than hops: the furthest one; none: the peer.
    expect(clientAddress({ hops: 3 }, peer, '203.0.113.7, 192.0.2.1')).toBe('203.0.113.7');
    expect(clientAddress({ hops: 1 }, peer, undefined)).toBe(peer);
    expect(clientAddress({ hops: 1 }, peer, ' , ')).toBe(peer);
  });

  it('with a list, reads X-Forwarded-For only from a listed peer, skipping listed hops from the right', () => {
    const trust = { cidrs: ['10.0.0.0/8', '192.0.2.1', 'fd00::/8'] };
    expect(clientAddress(trust, '10.1.2.3', '1.2.3.4, 203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddress(trust, '10.1.2.3', '1.2.3.4, 203.0.113.7, 192.0.2.1, 10.9.9.9')).toBe('203.0.113.7');
    expect(clientAddress(trust, 'fd00::5', '2001:db8::1, fd00::7')).toBe('2001:db8::1');
    // A peer outside the list is the client, whatever it claims.
    expect(clientAddress(trust, '198.51.100.9', '1.2.3.4, 10.0.0.1')).toBe('198.51.100.9');
    // Without the header, or with only proxies in it.
    expect(clientAddress(trust, '10.1.2.3', undefined)).toBe('10.1.2.3');
    expect(clientAddress(trust, '10.1.2.3', '10.0.0.9, 192.0.2.1')).toBe('10.0.0.9');
    // A malformed entry is not a trusted proxy: it stops the walk rather than being skipped.
    expect(clientAddress(trust, '10.1.2.3', '1.2.3.4, not-an-ip, 10.0.0.9')).toBe('not-an-ip');
  });
});

describe('isTrustedAddress', () => {
  it('matches addresses and ranges of both families, and IPv4-mapped IPv6 peers', () => {
    const cidrs = ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8'];
    for (const address of [
      '127.0.0.1',
      '10.255.0.1',
      '::1',
      'fd12::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
    ])
      expect(isTrustedAddress(cidrs, address), address).toBe(true);
    for (const address of ['127.0.0.2', '11.0.0.1', '::2', 'fe80::1', '', 'localhost', undefined])
      expect(isTrustedAddress(cidrs, address), String(address)).toBe(false);
  });
});

describe('forwardedHeadersTrusted', () => {
  it('is never for false, always for a hop count, and only from a listed peer for a list', () => {
    expect(forwardedHeadersTrusted(false, '10.0.0.1')).toBe(false);
    expect(forwardedHeadersTrusted({ hops: 1 }, '198.51.100.9')).toBe(true);
    expect(forwardedHeadersTrusted({ cidrs: ['10.0.0.0/8'] }, '10.0.0.1')).toBe(true);
    expect(forwardedHeadersTrusted({ cidrs: ['10.0.0.0/8'] }, '198.51.100.9')).toBe(false);
    expect(forwardedHeadersTrusted({ cidrs: ['10.0.0.0/8'] }, undefined)).toBe(false);
  });
});

describe('forwardedFor / requestClientAddress', () => {
  it('splits and trims the header, and reads a request', () => {
    expect(forwardedFor(' a ,b,, c')).toEqual(['a', 'b', 'c']);
    expect(forwardedFor(undefined)).toEqual([]);
    const req = {
      headers: { 'x-forwarded-for': '1.2.3.4, 203.0.113.7' },
      socket: { remoteAddress: '10.0.0.2' },
    };
    expect(requestClientAddress(req, { hops: 1 })).toBe('203.0.113.7');
    expect(requestClientAddress(req, false)).toBe('10.0.0.2');
  });
});
