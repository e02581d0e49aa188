/**
 * When Kakao is down, slow, failing or answers nonsense, the sign-in ends in a 502 `bad_gateway` within
 * KAKAO_TIMEOUT, and nothing is created: no user, no session.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { countRefreshTokens, countUsers, newSite } from './helpers/factories.js';
import {
  kakaoBrowser,
  kakaoSignIn,
  startFakeKakao,
  unusedPort,
  type FakeKakao,
} from './helpers/fake-kakao.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { describeWith } from './helpers/services.js';

describeWith(['postgres'], 'Kakao login: upstream failures', () => {
  let db: TestDatabase;
  let fake: FakeKakao;
  let t: TestServer;
  let down: TestServer;
  let site: Site;
  let headers: Record<string, string>;

  beforeAll(async () => {
    db = await createTestDatabase('kakao_upstream');
    fake = await startFakeKakao();
    t = await startTestServer({ databaseUrl: db.url, env: fake.env({ KAKAO_TIMEOUT: '500ms' }) });
    // Kakao's auth server is somewhere nobody listens.
    down = await startTestServer({
      databaseUrl: db.url,
      env: fake.env({ KAKAO_AUTH_URL: `http://127.0.0.1:${await unusedPort()}` }),
    });
    site = (await newSite(t)).site;
    headers = { 'x-synctalk-site': site.publicId };
  });
  afterAll(async () => {
    await Promise.all([t?.close(), down?.close()]);
    await fake?.close();
    await db?.drop();
  });
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
