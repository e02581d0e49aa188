/** Kakao's shapes for the fake Kakao (`fake-kakao.ts`): accounts, knobs, profiles, signing keys, ID tokens. */
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import jwt from 'jsonwebtoken';

export interface FakeKakaoUser {
  id: number;
  nickname?: string | null;
  /** Path-less image host is made up; served as https only with secure_resource=true. */
  profileImage?: string | null;
  isDefaultImage?: boolean;
  email?: string | null;
  emailValid?: boolean;
  emailVerified?: boolean;
}

export interface EndpointKnob {
  /** Wait this long before answering. */
  delayMs?: number;
  /** Answer with this status and `body` instead of the real thing. */
  status?: number;
  body?: unknown;
}

export interface IdTokenKnob {
  aud?: string;
  iss?: string;
  nonce?: string;
  sub?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  /** Sign with a key that is not in the JWK set (same kid): a bad signature. */
  signWithOtherKey?: boolean;
  /** Leave the id_token out of the token response. */
  omit?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  /** The raw body. */
  body: string;
  /** The body parsed as a form, when it was one. */
  form?: Record<string, string>;
}

export interface IssuedCode {
  userId: number;
  clientId: string;
  redirectUri: string;
  challenge?: string;
  challengeMethod?: string;
  nonce?: string;
  scope: string[];
  used: boolean;
}

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

/** A fresh RSA signing key with a random kid, and its public JWK. */
export function newKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  return {
    kid,
    privateKey,
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' },
  };
}

/** `/v2/user/me` for `user`, as Kakao shapes it; image URLs are https only when `secure`. */
export function kakaoProfile(user: FakeKakaoUser, secure: boolean) {
  const image = user.profileImage ? `${secure ? 'https' : 'http'}://${user.profileImage}` : undefined;
  const account: Record<string, unknown> = {
    profile_nickname_needs_agreement: false,
    profile_image_needs_agreement: false,
    profile: {
      ...(user.nickname === null ? {} : { nickname: user.nickname ?? `kakao${user.id}` }),
      ...(image
        ? { thumbnail_image_url: image, profile_image_url: image, is_default_image: !!user.isDefaultImage }
        : {}),
      is_default_nickname: false,
    },
  };
  if (user.email === null || user.email === undefined) {
    account.has_email = false;
  } else {
    Object.assign(account, {
      has_email: true,
      email_needs_agreement: false,
      is_email_valid: user.emailValid ?? true,
      is_email_verified: user.emailVerified ?? true,
      email: user.email,
    });
  }
  return {
    id: user.id,
    connected_at: '2024-01-02T03:04:05Z',
    properties: {
      ...(user.nickname ? { nickname: user.nickname } : {}),
      ...(image ? { profile_image: image, thumbnail_image: image } : {}),
    },
    kakao_account: account,
  };
}

/** An OpenID Connect ID token for `code`'s sign-in, signed RS256 with `key` (or `otherKey`, per the knob). */
export function signIdToken(input: {
  code: IssuedCode;
  user: FakeKakaoUser;
  issuer: string;
  knob: IdTokenKnob;
  key: SigningKey;
  otherKey: SigningKey;
}): string {
  const { code, user, knob: k, key } = input;
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {
    aud: k.aud ?? code.clientId,
    sub: k.sub ?? String(user.id),
    auth_time: now,
    iss: k.iss ?? input.issuer,
    iat: now,
    exp: now + (k.expiresIn ?? 3600),
  };
  if (user.nickname) payload.nickname = user.nickname;
  const nonce = k.nonce ?? code.nonce;
  if (nonce !== undefined) payload.nonce = nonce;
  return jwt.sign(payload, k.signWithOtherKey ? input.otherKey.privateKey : key.privateKey, {
    algorithm: 'RS256',
    keyid: key.kid,
  });
}
