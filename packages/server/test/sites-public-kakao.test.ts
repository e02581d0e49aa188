/** `GET /v1/site/public` tells a widget whether to offer Kakao Login: true exactly when the server has it. */
import { expect, it } from 'vitest';
import { publicSiteSchema } from '@synctalk/sdk/schemas';
import { newSite } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

const KAKAO = {
  KAKAO_REST_API_KEY: 'rest-api-key-for-tests',
  KAKAO_REDIRECT_URI: 'https://chat.example.com/v1/auth/kakao/callback',
};

describeWith(['postgres'], 'GET /v1/site/public: kakao, whether Kakao Login is configured', () => {
  // Three servers on one database: Kakao configured, not configured, and half configured (no redirect URI).
  const main = useServer({ label: 'sites_public_kakao', env: KAKAO });
  const withKakao = main.t;
  const without = useServer({ on: main }).t;
  const keyOnly = useServer({ on: main, env: { KAKAO_REST_API_KEY: KAKAO.KAKAO_REST_API_KEY } }).t;

  it('is true on a server with Kakao configured, for every site, and Kakao sign-in then starts', async () => {
    const { site } = await newSite(withKakao);
    for (const headers of [{}, { 'x-synctalk-site': site.publicId }] as Record<string, string>[]) {
      const res = await client(withKakao.url).get('/v1/site/public', { headers });
      expect(res.status).toBe(200);
      expect(res.body.kakao).toBe(true);
    }
    const start = await client(withKakao.url).get('/v1/auth/kakao/start');
    expect(start.status).toBe(200);
  });

  it('is false without Kakao, or with only half of its configuration, and Kakao sign-in is then a 404', async () => {
    for (const t of [without, keyOnly]) {
      const res = await client(t.url).get('/v1/site/public');
      expect(res.status).toBe(200);
      expect(res.body.kakao).toBe(false);
      const start = await client(t.url).get('/v1/auth/kakao/start');
      expect(start.status).toBe(404);
    }
  });

  it('matches its response schema exactly, and the OpenAPI document requires it as a boolean', async () => {
    const res = await client(withKakao.url).get('/v1/site/public');
    expect(publicSiteSchema.strict().safeParse(res.body).success).toBe(true);
    const doc = (await client(withKakao.url).get('/v1/openapi.json')).body;
    const schema = doc.components.schemas.PublicSite;
    expect(schema.properties.kakao.type).toBe('boolean');
    expect(schema.required).toContain('kakao');
  });
});
