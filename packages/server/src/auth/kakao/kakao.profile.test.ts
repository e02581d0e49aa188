import { describe, expect, it } from 'vitest';
import { FALLBACK_NAME, toKakaoIdentity } from './kakao.profile.js';

describe('toKakaoIdentity', () => {
  it('takes the id, nickname, https picture and a verified email', () => {
    expect(
      toKakaoIdentity({
        id: 123,
        kakao_account: {
          profile: { nickname: 'Neo', profile_image_url: 'https://k.kakaocdn.net/p.jpg' },
          email: 'neo@example.com',
          is_email_valid: true,
          is_email_verified: true,
        },
      }),
    ).toEqual({
      id: '123',
      displayName: 'Neo',
      avatarUrl: 'https://k.kakaocdn.net/p.jpg',
      email: 'neo@example.com',
    });
  });

  it('drops an http picture and an unverified email; falls back to properties and a default name', () => {
    expect(
      toKakaoIdentity({
        id: 5,
        properties: { profile_image: 'http://k.kakaocdn.net/p.jpg' },
        kakao_account: { email: 'x@example.com', is_email_valid: true, is_email_verified: false },
      }),
    ).toEqual({ id: '5', displayName: FALLBACK_NAME, avatarUrl: null, email: null });
    expect(toKakaoIdentity({ id: 6, properties: { nickname: 'Trinity' } })?.displayName).toBe('Trinity');
  });

  it('refuses ids it cannot represent exactly, or none at all', () => {
    expect(toKakaoIdentity({ id: 2 ** 60 })).toBeUndefined();
    expect(toKakaoIdentity({ id: -1 })).toBeUndefined();
    expect(toKakaoIdentity({ nickname: 'x' })).toBeUndefined();
    expect(toKakaoIdentity('nope')).toBeUndefined();
    expect(toKakaoIdentity({ id: '12345678901234567890' })?.id).toBe('12345678901234567890');
  });
});
