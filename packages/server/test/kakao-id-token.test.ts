/**
 * With `openid` in KAKAO_SCOPES the ID token must verify: RS256 against Kakao's JWK set (cached, refetched
 * for an unknown key id), issuer, audience, expiry, the nonce of this sign-in, and the subject of the
 * profile. Any failure refuses the sign-in and creates nothing.
 */
import { afterEach, expect, it } from 'vitest';
import { countRefreshTokens, countUsers } from './helpers/factories.js';
import { kakaoSignIn, type IdTokenKnob } from './helpers/fake-kakao.js';
import { describeWith } from './helpers/services.js';
import { useFakeKakao, useServer, useSite } from './helpers/use-server.js';

describeWith(['postgres'], 'Kakao login: OpenID Connect ID token', () => {
  const fake = useFakeKakao();
  const { t } = useServer({
    label: 'kakao_oidc',
    env: () => fake.env({ KAKAO_SCOPES: 'openid,profile_nickname' }),
  });
  const { headers } = useSite(t);
  afterEach(() => fake.reset());

  const jwksFetches = () => fake.requests.filter((r) => r.path === '/.well-known/jwks.json').length;

  it('signs in when the ID token verifies, and reuses the cached keys next time', async () => {
    const first = await kakaoSignIn(t.url, fake, fake.addUser(), { headers });
    expect(first.res.status).toBe(200);
    expect(first.res.body.user.kind).toBe('kakao');
    const tokenCall = fake.requests.find((r) => r.path === '/oauth/token')!;
    expect(tokenCall).toBeDefined();
    const fetched = jwksFetches();
    expect(fetched).toBe(1);

    const second = await kakaoSignIn(t.url, fake, fake.addUser(), { headers });
    expect(second.res.status).toBe(200);
    expect(jwksFetches()).toBe(fetched);
  });

  it('fetches the keys again when Kakao signs with a new key', async () => {
    expect((await kakaoSignIn(t.url, fake, fake.addUser(), { headers })).res.status).toBe(200);
    fake.rotateKey();
    fake.reset();
    const res = (await kakaoSignIn(t.url, fake, fake.addUser(), { headers })).res;
    expect(res.status).toBe(200);
    expect(jwksFetches()).toBe(1);
  });

  async function expectRejected(knob: IdTokenKnob, reason: RegExp) {
    fake.knobs.idToken = knob;
    const [users, tokens] = [await countUsers(t), await countRefreshTokens(t)];
    const { res } = await kakaoSignIn(t.url, fake, fake.addUser(), { headers });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(res.body.error.message).toMatch(/^Kakao ID token rejected: /);
    expect(res.body.error.message).toMatch(reason);
    expect(await countUsers(t)).toBe(users);
    expect(await countRefreshTokens(t)).toBe(tokens);
  }

  it('refuses a bad signature', () => expectRejected({ signWithOtherKey: true }, /bad signature/));
  it('refuses a nonce from another sign-in', () =>
    expectRejected({ nonce: 'some-other-nonce' }, /nonce does not match/));
  it('refuses a token for another app (aud)', () => expectRejected({ aud: 'another-app-key' }, /audience/));
  it('refuses another issuer', () => expectRejected({ iss: 'https://evil.example' }, /issuer/));
  it('refuses an expired token', () => expectRejected({ expiresIn: -3600 }, /expired/));
  it('refuses a token about someone else (sub ≠ the profile id)', () =>
    expectRejected({ sub: '1' }, /subject does not match/));

  it('answers 502 when Kakao leaves the ID token out although openid was asked for', async () => {
    fake.knobs.idToken = { omit: true };
    const users = await countUsers(t);
    const { res } = await kakaoSignIn(t.url, fake, fake.addUser(), { headers });
    expect(res.status).toBe(502);
    expect(res.body.error.message).toMatch(/did not return an ID token/);
    expect(await countUsers(t)).toBe(users);
  });

  it('answers 502 when the key set cannot be fetched', async () => {
    fake.rotateKey(); // an unknown kid forces a fetch
    fake.knobs.jwks = { status: 500, body: { msg: 'oops', code: -1 } };
    const users = await countUsers(t);
    const { res } = await kakaoSignIn(t.url, fake, fake.addUser(), { headers });
    expect(res.status).toBe(502);
    expect(await countUsers(t)).toBe(users);
  });
});
