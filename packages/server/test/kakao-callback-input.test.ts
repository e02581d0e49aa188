/**
 * A malformed callback (missing code or state, unknown fields) is a 400 that leaves the state unused: the
 * user can still finish the sign-in with the right request.
 */
import { expect, it } from 'vitest';
import { countRefreshTokens, countUsers } from './helpers/factories.js';
import { kakaoBrowser } from './helpers/fake-kakao.js';
import { describeWith } from './helpers/services.js';
import { useFakeKakao, useServer, useSite } from './helpers/use-server.js';

describeWith(['postgres'], 'Kakao login: callback input', () => {
  const fake = useFakeKakao();
  const { t } = useServer({ label: 'kakao_input', env: () => fake.env() });
  const { headers } = useSite(t, { origins: ['https://shop.example'] });

  it('answers a missing code, a missing state or an extra field with 400, and the state survives', async () => {
    const api = kakaoBrowser(t.url, fake);
    const flow = await api.start({ headers });
    const back = await fake.authorize(flow.url, { user: fake.addUser() });
    const [users, tokens] = [await countUsers(t), await countRefreshTokens(t)];

    const noCode = await api.post('/v1/auth/kakao/callback', { headers, body: { state: back.state } });
    expect(noCode.status).toBe(400);
    expect(noCode.body.error.code).toBe('validation_failed');
    expect(noCode.body.error.message).toMatch(/body\.code/);

    const noState = await api.post('/v1/auth/kakao/callback', { headers, body: { code: back.code } });
    expect(noState.status).toBe(400);
    expect(noState.body.error.message).toMatch(/body\.state/);

    const extra = await api.post('/v1/auth/kakao/callback', {
      headers,
      body: { code: back.code, state: back.state, redirect_uri: 'https://evil.example/cb' },
    });
    expect(extra.status).toBe(400);

    const emptyCode = await api.post('/v1/auth/kakao/callback', {
      headers,
      body: { code: '', state: back.state },
    });
    expect(emptyCode.status).toBe(400);

    expect(fake.requests.filter((r) => r.path === '/oauth/token')).toHaveLength(0);
    expect(await countUsers(t)).toBe(users);
    expect(await countRefreshTokens(t)).toBe(tokens);

    const ok = await api.post('/v1/auth/kakao/callback', {
      headers,
      body: { code: back.code, state: back.state },
    });
    expect(ok.status).toBe(200);
  });

  it('answers a popup redirect without a code with an error page for the opener', async () => {
    const browser = kakaoBrowser(t.url, fake);
    const flow = await browser.start({ headers, query: '?origin=https://shop.example' });
    const res = await browser.open(`${t.url}/v1/auth/kakao/callback?state=${flow.state}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await res.text();
    expect(page).toContain('Kakao did not send back a code');
    expect(page).toContain('var targetOrigin = "https://shop.example"');
  });
});
