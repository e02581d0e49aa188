import { expect, it } from 'vitest';
import { defaultSite, newSite } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useServer } from './helpers/use-server.js';

describeWith(['postgres'], 'GET /v1/site/public: what a widget needs', () => {
  const { t, http } = useServer({ label: 'sites_public', env: { DEFAULT_SITE_NAME: 'Home' } });

  it('describes the default site without any header', async () => {
    const res = await http.get('/v1/site/public');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      publicId: (await defaultSite(t)).publicId,
      name: 'Home',
      settings: { guestsEnabled: false, signupEnabled: true, verifiedOnly: false },
      kakao: false,
    });
  });

  it('describes the named site, with its settings and nothing else', async () => {
    const { site, secret } = await newSite(t, {
      name: 'Widget shop',
      origins: ['https://widget.example'],
      settings: { guestsEnabled: true, verifiedOnly: true },
    });
    const res = await http.get('/v1/site/public', { headers: { 'x-synctalk-site': site.publicId } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      publicId: site.publicId,
      name: 'Widget shop',
      settings: { guestsEnabled: true, signupEnabled: true, verifiedOnly: true },
      kakao: false,
    });
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('widget.example');
  });

  it('answers 404 for an unknown or malformed site id', async () => {
    for (const id of ['st_unknown0000000', 'not-a-site', 'st_' + 'a'.repeat(65)]) {
      const res = await http.get('/v1/site/public', { headers: { 'x-synctalk-site': id } });
      expect(res.status, id).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });

  it('takes no query parameters or body it does not know', async () => {
    const res = await http.get('/v1/site/public?x=1');
    expect(res.status).toBe(200);
    const post = await http.post('/v1/site/public', { body: {} });
    expect(post.status).toBe(405);
  });
});
