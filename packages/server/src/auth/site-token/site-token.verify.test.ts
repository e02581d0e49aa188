import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifySiteToken } from './site-token.verify.js';

const site = { publicId: 'st_Site1', secret: 'sts_secret' };
const NOW = 1_900_000_000;

function token(claims: Record<string, unknown>, secret = site.secret): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'u1', site: site.publicId, jti: 'j1', ...claims })}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const verify = (claims: Record<string, unknown>) => () => verifySiteToken(token(claims), site, NOW);

describe('verifySiteToken boundaries', () => {
  it('accepts iat up to 60 s ahead of the clock, not 61', () => {
    expect(verify({ iat: NOW + 60, exp: NOW + 600 })).not.toThrow();
    expect(verify({ iat: NOW + 61, exp: NOW + 600 })).toThrow(/issued in the future/);
  });

  it('accepts a lifetime of exactly 24 hours, not a second more', () => {
    expect(verify({ iat: NOW, exp: NOW + 86400 })).not.toThrow();
    expect(verify({ iat: NOW, exp: NOW + 86401 })).toThrow(/longer than 24 hours/);
  });

  it('tolerates 60 s of skew on expiry', () => {
    expect(verify({ iat: NOW - 600, exp: NOW - 59 })).not.toThrow();
    expect(verify({ iat: NOW - 600, exp: NOW - 61 })).toThrow(/expired/);
  });

  it('refuses exp before iat', () => {
    expect(verify({ iat: NOW, exp: NOW - 1 })).toThrow(/after "iat"/);
  });

  it('returns the claims, with the name normalised and avatar: null kept', () => {
    const claims = verifySiteToken(
      token({ iat: NOW, exp: NOW + 60, name: '  Cafe\u0301  ', avatar: null }),
      site,
      NOW,
    );
    expect(claims).toEqual({ sub: 'u1', jti: 'j1', iat: NOW, exp: NOW + 60, name: 'Café', avatar: null });
  });
});

describe('verifySiteToken on malformed input', () => {
  const b64 = (text: string) => Buffer.from(text).toString('base64url');
  const header = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

  it('refuses a payload that is not JSON with a 401, not an exception of the JWT library', () => {
    for (const payload of ['not json', '{"sub":"u1"', '']) {
      const input = `${header}.${b64(payload)}`;
      const signed = `${input}.${createHmac('sha256', site.secret).update(input).digest('base64url')}`;
      expect(() => verifySiteToken(signed, site, NOW)).toThrow(
        expect.objectContaining({
          code: 'unauthorized',
          message: 'Site token rejected: not a well-formed JWT',
        }),
      );
    }
  });
});
