import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook, WebhookVerificationError } from './webhook-signature.js';

const SECRET = 'whsec_test-secret';
const NOW = 1_733_430_000_000;
const T = NOW / 1000;
const body = JSON.stringify({
  id: '0b7c3a5e-6f47-4a4c-9a55-0c1f1a0d8c11',
  type: 'room.deleted',
  createdAt: '2026-12-05T20:20:00.000Z',
  siteId: 'st_Abc123',
  data: { roomId: '4', title: 'Old room' },
});

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('signWebhook', () => {
  it('is HMAC-SHA256 over "<t>.<body>", hex, one v1 per secret', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${body}`).digest('hex');
    expect(signWebhook(body, SECRET, T)).toBe(`t=${T},v1=${expected}`);
    expect(signWebhook(body, [SECRET, 'whsec_old'], T).split(',')).toHaveLength(3);
  });
});

describe('verifyWebhook', () => {
  const headers = (signature: string) => ({ 'SyncTalk-Signature': signature });

  it('returns the event for a fresh, matching signature (string or bytes, record or Headers)', () => {
    const signature = signWebhook(body, SECRET, T);
    expect(verifyWebhook(body, headers(signature), SECRET, { now: NOW }).type).toBe('room.deleted');
    const bytes = new TextEncoder().encode(body);
    const fetchHeaders = new Headers({ 'synctalk-signature': signature });
    expect(verifyWebhook(bytes, fetchHeaders, SECRET, { now: NOW }).id).toBe(JSON.parse(body).id);
  });

  it('accepts any of several secrets, and a header signed with several', () => {
    const both = signWebhook(body, ['whsec_new', SECRET], T);
    expect(verifyWebhook(body, headers(both), SECRET, { now: NOW }).type).toBe('room.deleted');
    const old = signWebhook(body, 'whsec_old', T);
    expect(verifyWebhook(body, headers(old), [SECRET, 'whsec_old'], { now: NOW }).type).toBe('room.deleted');
  });

  it('refuses a tampered body or another secret', () => {
    const signature = signWebhook(body, SECRET, T);
    const tampered = body.replace('Old room', 'New room');
    expect(reasonOf(() => verifyWebhook(tampered, headers(signature), SECRET, { now: NOW }))).toBe(
      'mismatch',
    );
    expect(reasonOf(() => verifyWebhook(body, headers(signature), 'whsec_other', { now: NOW }))).toBe(
      'mismatch',
    );
    // The timestamp is signed too: moving it breaks the signature.
    const moved = signature.replace(`t=${T}`, `t=${T + 1}`);
    expect(reasonOf(() => verifyWebhook(body, headers(moved), SECRET, { now: NOW }))).toBe('mismatch');
  });

  it('refuses a timestamp outside the tolerance, in either direction', () => {
    const old = signWebhook(body, SECRET, T - 301);
    expect(reasonOf(() => verifyWebhook(body, headers(old), SECRET, { now: NOW }))).toBe('stale');
    const ahead = signWebhook(body, SECRET, T + 301);
    expect(reasonOf(() => verifyWebhook(body, headers(ahead), SECRET, { now: NOW }))).toBe('stale');
    expect(verifyWebhook(body, headers(old), SECRET, { now: NOW, toleranceSeconds: 600 }).type).toBe(
      'room.deleted',
    );
  });

  it('refuses missing and malformed headers, and bodies that are not events', () => {
    expect(reasonOf(() => verifyWebhook(body, {}, SECRET, { now: NOW }))).toBe('missing_signature');
    for (const bad of ['v1=abc', `t=${T}`, `t=soon,v1=${'a'.repeat(64)}`, 'garbage']) {
      expect(reasonOf(() => verifyWebhook(body, headers(bad), SECRET, { now: NOW }))).toBe(
        'malformed_signature',
      );
    }
    const notJson = 'not json';
    expect(
      reasonOf(() => verifyWebhook(notJson, headers(signWebhook(notJson, SECRET, T)), SECRET, { now: NOW })),
    ).toBe('invalid_body');
    const notEvent = '{"hello":1}';
    expect(
      reasonOf(() =>
        verifyWebhook(notEvent, headers(signWebhook(notEvent, SECRET, T)), SECRET, { now: NOW }),
      ),
    ).toBe('invalid_body');
  });
});

describe('verifyWebhook (properties)', () => {
  const event = fc.record({
    id: fc.uuid(),
    type: fc.constantFrom('room.deleted', 'message.created'),
    data: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ unit: 'grapheme', maxLength: 20 })),
  });

  it('accepts what signWebhook signed, and nothing with one byte of the body changed', () => {
    fc.assert(
      fc.property(event, fc.string({ minLength: 1, maxLength: 40 }), fc.nat(), (e, secret, at) => {
        const text = JSON.stringify(e);
        const now = (T + (at % 300)) * 1000;
        const signature = signWebhook(text, secret, T);
        expect(verifyWebhook(text, { 'synctalk-signature': signature }, secret, { now }).id).toBe(e.id);
        const bytes = new TextEncoder().encode(text);
        const i = at % bytes.length;
        bytes[i] = bytes[i]! ^ 0x01;
        expect(
          reasonOf(() => verifyWebhook(bytes, { 'synctalk-signature': signature }, secret, { now })),
        ).toBe('mismatch');
      }),
    );
  });
});
