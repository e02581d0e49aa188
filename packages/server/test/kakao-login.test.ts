/** Kakao Login, the happy paths: first sign-in creates the user, later ones find it; what is kept of the profile. */
import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { countRefreshTokens, countUsers, newSite } from './helpers/factories.js';
import { kakaoSignIn } from './helpers/fake-kakao.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useFakeKakao, useServer, useSite } from './helpers/use-server.js';

describeWith(['postgres', 'redisCluster'], 'Kakao login: sign-up and sign-in', () => {
  const fake = useFakeKakao({ clientSecret: 'kakao-client-secret' });
  const { t } = useServer({
    label: 'kakao_login',
    services: ['postgres', 'redisCluster'],
    env: () => fake.env(),
  });
  const { site, headers } = useSite(t);

  const row = (kakaoId: number, s: Site = site) =>
    t.server
      .db('users')
      .where({ site_id: s.id, kakao_id: String(kakaoId) })
      .first();

  it('creates a Kakao user on the first sign-in and answers like a password sign-in', async () => {
    const person = fake.addUser({
      nickname: '라이언',
      profileImage: 'k.kakaocdn.net/dn/ryan.jpg',
      email: 'ryan@kakao.example',
    });
    const [usersBefore, tokensBefore] = [await countUsers(t, site), await countRefreshTokens(t)];

    const { res, start } = await kakaoSignIn(t.url, fake, person, { headers });

    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: expect.any(Number),
      refreshToken: expect.any(String),
      user: {
        kind: 'kakao',
        username: null,
        displayName: '라이언',
        avatarUrl: 'https://k.kakaocdn.net/dn/ryan.jpg',
        roles: ['ROLE_USER'],
      },
    });
    expect(res.headers.get('authorization')).toBe(`Bearer ${res.body.accessToken}`);
    expect(res.headers.get('set-cookie')).toMatch(/synctalk_access=[^;]+;.*httponly/i);
    expect(await countUsers(t, site)).toBe(usersBefore + 1);
    expect(await countRefreshTokens(t)).toBe(tokensBefore + 1);

    const stored = await row(person.id);
    expect(stored).toMatchObject({ kind: 'kakao', email: 'ryan@kakao.example', username: null });
    expect(String(stored.id)).toBe(res.body.user.id);

    // The session is real: the access token reads the profile.
    const me = await client(t.url).get('/v1/me', { token: res.body.accessToken, headers });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(res.body.user.id);

    // What went to Kakao: a form-encoded exchange with our key, secret, configured redirect URI and the
    // PKCE verifier matching the challenge of the authorization URL.
    const exchange = fake.requests.find((r) => r.path === '/oauth/token')!;
    expect(exchange.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(exchange.form).toMatchObject({
      grant_type: 'authorization_code',
      client_id: fake.restApiKey,
      client_secret: 'kakao-client-secret',
      redirect_uri: fake.redirectUri,
    });
    const challenge = new URL(start.url).searchParams.get('code_challenge');
    expect(createHash('sha256').update(exchange.form!.code_verifier!).digest('base64url')).toBe(challenge);
    const profileCall = fake.requests.find((r) => r.path === '/v2/user/me')!;
    expect(profileCall.headers.authorization).toMatch(/^Bearer .+/);
  });

  it('signs a returning user into the same account and follows their Kakao profile', async () => {
    const person = fake.addUser({ nickname: 'Apeach', profileImage: 'k.kakaocdn.net/a.png' });
    const first = await kakaoSignIn(t.url, fake, person, { headers });
    expect(first.res.status).toBe(200);
    const before = await countUsers(t, site);

    fake.updateUser(person.id, { nickname: 'Apeach 2', profileImage: 'k.kakaocdn.net/b.png' });
    const again = await kakaoSignIn(t.url, fake, person, { headers });

    expect(again.res.status).toBe(200);
    expect(again.res.body.user.id).toBe(first.res.body.user.id);
    expect(again.res.body.user.displayName).toBe('Apeach 2');
    expect(again.res.body.user.avatarUrl).toBe('https://k.kakaocdn.net/b.png');
    expect(again.res.body.refreshToken).not.toBe(first.res.body.refreshToken);
    expect(await countUsers(t, site)).toBe(before);
  });

  it('keeps the email only when Kakao says it is valid and verified', async () => {
    const unverified = fake.addUser({ email: 'a@example.com', emailVerified: false });
    const invalid = fake.addUser({ email: 'b@example.com', emailValid: false });
    expect((await kakaoSignIn(t.url, fake, unverified, { headers })).res.status).toBe(200);
    expect((await kakaoSignIn(t.url, fake, invalid, { headers })).res.status).toBe(200);
    expect((await row(unverified.id)).email).toBeNull();
    expect((await row(invalid.id)).email).toBeNull();

    // Verified later: kept from then on.
    fake.updateUser(unverified.id, { emailVerified: true });
    expect((await kakaoSignIn(t.url, fake, unverified, { headers })).res.status).toBe(200);
    expect((await row(unverified.id)).email).toBe('a@example.com');
  });

  it('signs in a profile without email, nickname or picture', async () => {
    const bare = fake.addUser({ nickname: null, email: null, profileImage: null });
    const { res } = await kakaoSignIn(t.url, fake, bare, { headers });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ displayName: 'Kakao user', avatarUrl: null, kind: 'kakao' });
    expect((await row(bare.id)).email).toBeNull();

    const defaultPicture = fake.addUser({ profileImage: 'k.kakaocdn.net/default.png', isDefaultImage: true });
    const second = await kakaoSignIn(t.url, fake, defaultPicture, { headers });
    expect(second.res.body.user.avatarUrl).toBeNull();
  });

  it('never merges accounts by email: two Kakao accounts with one address stay two users', async () => {
    const a = fake.addUser({ email: 'shared@example.com' });
    const b = fake.addUser({ email: 'shared@example.com' });
    const ra = await kakaoSignIn(t.url, fake, a, { headers });
    const rb = await kakaoSignIn(t.url, fake, b, { headers });
    expect(ra.res.status).toBe(200);
    expect(rb.res.status).toBe(200);
    expect(ra.res.body.user.id).not.toBe(rb.res.body.user.id);
  });

  it('keeps sites apart: the same Kakao account is a different user on each site', async () => {
    const other = (await newSite(t)).site;
    const person = fake.addUser();
    const here = await kakaoSignIn(t.url, fake, person, { headers });
    const there = await kakaoSignIn(t.url, fake, person, { headers: { 'x-synctalk-site': other.publicId } });
    expect(there.res.status).toBe(200);
    expect(there.res.body.user.id).not.toBe(here.res.body.user.id);
    expect((await row(person.id, other)).site_id).toBe(other.id);
  });

  it('cleans an unprintable or overlong nickname instead of refusing the sign-in', async () => {
    const person = fake.addUser({ nickname: `  Mu\u0000zi\u202E ${'가'.repeat(80)}  ` });
    const { res } = await kakaoSignIn(t.url, fake, person, { headers });
    expect(res.status).toBe(200);
    const name: string = res.body.user.displayName;
    expect(name.startsWith('Mu zi 가')).toBe(true);
    expect([...name]).toHaveLength(64);
  });
});
