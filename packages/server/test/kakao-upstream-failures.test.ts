/**
 * When Kakao is down, slow, failing or answers nonsense, the sign-in ends in a 502 `bad_gateway` within
 * KAKAO_TIMEOUT, and nothing is created: no user, no session.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { countRefreshTokens, countUsers } from './helpers/factories.js';
import { kakaoBrowser, kakaoSignIn, unusedPort } from './helpers/fake-kakao.js';
import { describeWith } from './helpers/services.js';
import { useFakeKakao, useServer, useSite } from './helpers/use-server.js';

describeWith(['postgres'], 'Kakao login: upstream failures', () => {
  const fake = useFakeKakao();
  const main = useServer({ label: 'kakao_upstream', env: () => fake.env({ KAKAO_TIMEOUT: '500ms' }) });
  const { t } = main;
  // Kakao's auth server is somewhere nobody listens.
  const down = useServer({
    on: main,
    env: async () => fake.env({ KAKAO_AUTH_URL: `http://127.0.0.1:${await unusedPort()}` }),
  }).t;
  const { headers } = useSite(t);
  afterEach(() => fake.reset());

  /** Signs in through `server` and expects a 502 with `message`, nothing created. */
  async function expectBadGateway(message: RegExp, server = t) {
    const [users, tokens] = [await countUsers(t), await countRefreshTokens(t)];
    const started = Date.now();
    const { res } = await kakaoSignIn(server.url, fake, fake.addUser(), { headers });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('bad_gateway');
    expect(res.body.error.message).toMatch(message);
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(await countUsers(t)).toBe(users);
    expect(await countRefreshTokens(t)).toBe(tokens);
    return Date.now() - started;
  }

  it('Kakao unreachable (connection refused) → 502', async () => {
    // The flow starts at the fake's authorize page; the token exchange goes to the dead address.
    const browser = kakaoBrowser(down.url, fake);
    const flow = await browser.start({ headers });
    const authorize = new URL(flow.url);
    const challenge = authorize.searchParams.get('code_challenge')!;
    const code = fake.mintCode({ user: fake.addUser(), codeChallenge: challenge });
    const users = await countUsers(t);
    const res = await browser.post('/v1/auth/kakao/callback', { headers, body: { code, state: flow.state } });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({
      code: 'bad_gateway',
      message: expect.stringMatching(/unreachable/),
    });
    expect(await countUsers(t)).toBe(users);
  });

  describe('the token endpoint', () => {
    it('slow past KAKAO_TIMEOUT → 502 in about the timeout', async () => {
      fake.knobs.token = { delayMs: 3000 };
      const elapsed = await expectBadGateway(/did not answer in time/);
      expect(elapsed).toBeLessThan(2500);
    });

    it('HTTP 500 → 502', async () => {
      fake.knobs.token = { status: 500, body: '<html><body>Internal Server Error</body></html>' };
      await expectBadGateway(/Kakao is having trouble/);
    });

    it('200 without an access token → 502', async () => {
      fake.knobs.token = { status: 200, body: { token_type: 'bearer' } };
      await expectBadGateway(/answered unexpectedly/);
    });
  });

  describe('the profile endpoint (/v2/user/me)', () => {
    it('-401 for the token Kakao just issued → 502', async () => {
      fake.knobs.me = { status: 401, body: { msg: 'this access token does not exist', code: -401 } };
      await expectBadGateway(/refused the access token/);
    });

    it('slow past KAKAO_TIMEOUT → 502', async () => {
      fake.knobs.me = { delayMs: 3000 };
      await expectBadGateway(/did not answer in time/);
    });

    it('HTTP 503 → 502', async () => {
      fake.knobs.me = { status: 503, body: { msg: 'system maintenance', code: -9798 } };
      await expectBadGateway(/Kakao is having trouble/);
    });

    it('a profile without an id → 502', async () => {
      fake.knobs.me = { status: 200, body: { properties: { nickname: 'nobody' } } };
      await expectBadGateway(/unreadable profile/);
    });
  });
});
