/**
 * The OAuth state is one-time, short-lived, unforgeable and bound to its site and purpose. Every refusal
 * here happens before any call to Kakao's token endpoint, and creates no user and no session.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { countRefreshTokens, countUsers, newSite, newUser } from './helpers/factories.js';
import { kakaoBrowser, kakaoSignIn, type KakaoBrowser } from './helpers/fake-kakao.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useFakeKakao, useServer, useSite } from './helpers/use-server.js';

describeWith(['postgres'], 'Kakao login: the state', () => {
  const fake = useFakeKakao();
  // The in-memory store, so the test can move its clock past the state's expiry.
  const { t } = useServer({ label: 'kakao_state', redis: 'memory', env: () => fake.env() });
  const { site, headers } = useSite(t);
  afterEach(() => {
    vi.useRealTimers();
    fake.reset();
  });

  /** Refused at the JSON callback, in `browser` (the one that started the flow, by default a fresh one). */
  async function expectRefused(
    body: { code: string; state: string },
    message: RegExp,
    h = headers,
    browser: KakaoBrowser = kakaoBrowser(t.url, fake),
  ) {
    const [users, tokens] = [await countUsers(t), await countRefreshTokens(t)];
    fake.reset();
    const res = await browser.post('/v1/auth/kakao/callback', { headers: h, body });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthorized');
    expect(res.body.error.message).toMatch(message);
    expect(res.headers.get('authorization')).toBeNull();
    expect(res.headers.get('set-cookie')).toBeNull();
    expect(fake.requests.filter((r) => r.path === '/oauth/token')).toHaveLength(0);
    expect(await countUsers(t)).toBe(users);
    expect(await countRefreshTokens(t)).toBe(tokens);
  }

  /** Starts a flow in a new browser; answers Kakao's URL, the state and that browser. */
  const start = async (h = headers) => {
    const browser = kakaoBrowser(t.url, fake);
    return { ...(await browser.start({ headers: h })), browser };
  };

  it('works once: a used state is refused, even with a fresh code', async () => {
    const person = fake.addUser();
    const first = await kakaoSignIn(t.url, fake, person, { headers });
    expect(first.res.status).toBe(200);
    // Replayed from the browser that signed in (whose flow cookie was cleared) or any other.
    const again = { code: first.code, state: first.state };
    await expectRefused(again, /unknown, expired or already used/, headers, first.browser);
    await expectRefused(again, /unknown, expired or already used/);
    const freshCode = fake.mintCode({ user: person });
    await expectRefused({ code: freshCode, state: first.state }, /unknown, expired or already used/);
  });

  it('refuses a forged state', async () => {
    const person = fake.addUser();
    const code = fake.mintCode({ user: person });
    await expectRefused({ code, state: 'x'.repeat(43) }, /unknown, expired or already used/);
  });

  it('expires after 10 minutes', async () => {
    const person = fake.addUser();
    vi.useFakeTimers({ toFake: ['Date'] });
    const flow = await start();
    const back = await fake.authorize(flow.url, { user: person });
    vi.setSystemTime(Date.now() + 10 * 60 * 1000 + 1000);
    await expectRefused(
      { code: back.code!, state: back.state! },
      /unknown, expired or already used/,
      headers,
      flow.browser,
    );
  });

  it('is still good just before it expires', async () => {
    const person = fake.addUser();
    vi.useFakeTimers({ toFake: ['Date'] });
    const flow = await start();
    const back = await fake.authorize(flow.url, { user: person });
    vi.setSystemTime(Date.now() + 9 * 60 * 1000);
    const res = await flow.browser.post('/v1/auth/kakao/callback', {
      headers,
      body: { code: back.code, state: back.state },
    });
    expect(res.status).toBe(200);
  });

  it("refuses another site's state, and that attempt uses it up", async () => {
    const other = (await newSite(t)).site;
    const person = fake.addUser();
    const flow = await start();
    const back = await fake.authorize(flow.url, { user: person });
    const body = { code: back.code!, state: back.state! };
    const otherSite = { 'x-synctalk-site': other.publicId };
    await expectRefused(body, /started for another site/, otherSite, flow.browser);
    await expectRefused(body, /unknown, expired or already used/, headers, flow.browser);
  });

  it('refuses a state started for linking an account', async () => {
    const member = await newUser(t, { site });
    const link = await client(t.url).post('/v1/me/kakao/link/start', { headers: member.headers, body: {} });
    expect(link.status).toBe(200);
    const back = await fake.authorize(link.body.url, { user: fake.addUser() });
    await expectRefused({ code: back.code!, state: back.state! }, /linking a Kakao account/);
  });
});
