/**
 * Kakao's token-endpoint errors, told apart: a bad or used code (KOE320) or a failed PKCE check is the
 * user's to retry (401); a redirect URI or client secret that does not match the Kakao app (KOE006,
 * KOE010) is this server's misconfiguration (502). Nothing is created either way.
 */
import { expect, it } from 'vitest';
import { countRefreshTokens, countUsers } from './helpers/factories.js';
import { kakaoBrowser, kakaoSignIn } from './helpers/fake-kakao.js';
import type { TestServer } from './helpers/server.js';
import { describeWith } from './helpers/services.js';
import { useFakeKakao, useServer, useSite } from './helpers/use-server.js';

describeWith(['postgres'], 'Kakao login: token endpoint errors', () => {
  const fake = useFakeKakao({ clientSecret: 'the-right-secret' });
  const main = useServer({ label: 'kakao_token_err', env: () => fake.env() });
  const { t } = main;
  // A redirect URI the Kakao app never registered.
  const wrongRedirect = useServer({
    on: main,
    env: () => fake.env({ KAKAO_REDIRECT_URI: 'https://other.example/kakao' }),
  }).t;
  const wrongSecret = useServer({
    on: main,
    env: () => fake.env({ KAKAO_CLIENT_SECRET: 'an-old-secret' }),
  }).t;
  const { headers } = useSite(t);

  /** Starts on `server`, gets a code the fake will judge, and posts the callback. */
  async function callback(server: TestServer, code: (flow: { url: URL }) => string) {
    const browser = kakaoBrowser(server.url, fake);
    const flow = await browser.start({ headers });
    const [users, tokens] = [await countUsers(t), await countRefreshTokens(t)];
    const res = await browser.post('/v1/auth/kakao/callback', {
      headers,
      body: { code: code({ url: new URL(flow.url) }), state: flow.state },
    });
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await countUsers(t)).toBe(users);
    expect(await countRefreshTokens(t)).toBe(tokens);
    return res;
  }

  it('KOE320, an unknown code → 401 "invalid or expired"', async () => {
    const res = await callback(t, () => 'no-such-code');
    expect(res.status).toBe(401);
    expect(res.body.error).toEqual({
      code: 'unauthorized',
      message: 'Kakao authorization code is invalid or expired; sign in again',
    });
  });

  it('KOE320, a code used once already → 401', async () => {
    const person = fake.addUser();
    const first = await kakaoSignIn(t.url, fake, person, { headers });
    expect(first.res.status).toBe(200);
    const res = await callback(t, () => first.code);
    expect(res.status).toBe(401);
    expect(res.body.error.message).toMatch(/invalid or expired/);
  });

  it('a code issued for another PKCE challenge → 401', async () => {
    const res = await callback(t, () =>
      fake.mintCode({ user: fake.addUser(), codeChallenge: 'A'.repeat(43) }),
    );
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
  });

  it('KOE006, a redirect URI the app did not register → 502 (a server misconfiguration)', async () => {
    const res = await callback(wrongRedirect, ({ url }) =>
      fake.mintCode({ user: fake.addUser(), codeChallenge: url.searchParams.get('code_challenge')! }),
    );
    expect(res.status).toBe(502);
    expect(res.body.error).toEqual({
      code: 'bad_gateway',
      message: 'Kakao login is misconfigured on this server; the error was logged',
    });
    const sent = fake.requests.filter((r) => r.path === '/oauth/token').at(-1)!;
    expect(sent.form!.redirect_uri).toBe('https://other.example/kakao');
  });

  it('KOE010, a wrong client secret → 502', async () => {
    const res = await callback(wrongSecret, ({ url }) =>
      fake.mintCode({ user: fake.addUser(), codeChallenge: url.searchParams.get('code_challenge')! }),
    );
    expect(res.status).toBe(502);
    expect(res.body.error.message).toMatch(/misconfigured/);
  });
});
