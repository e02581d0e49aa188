/**
 * Kakao Login started from a page this server served (the demo page): the server's own origin may be the
 * popup's target for any site, like the site's allowed origins; other origins are still refused.
 */
import { beforeAll, expect, it } from 'vitest';
import type { Site } from '../src/sites/sites.repository.js';
import { newSite } from './helpers/factories.js';
import { kakaoBrowser } from './helpers/fake-kakao.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useFakeKakao, useServer } from './helpers/use-server.js';

describeWith(['postgres'], "Kakao login: the server's own origin as the popup target", () => {
  const fake = useFakeKakao();
  const { t } = useServer({ label: 'kakao_same_origin', env: () => fake.env() });
  let site: Site;

  beforeAll(async () => {
    site = (await newSite(t, { origins: ['https://shop.example'] })).site;
  });

  /** Runs a sign-in started with `headers` and `query`; answers the origin the popup page posts to. */
  async function popupTarget(headers: Record<string, string>, query = ''): Promise<string> {
    const browser = kakaoBrowser(t.url, fake);
    const start = await browser.start({ headers, query });
    const back = await fake.authorize(start.url, { user: fake.addUser({ nickname: 'Demo' }) });
    const page = await (await browser.callbackPage(back.location)).text();
    return JSON.parse(/var targetOrigin = (.*);\n/.exec(page)![1]!) as string;
  }

  it("posts to the page's own origin when the flow starts from it", async () => {
    const headers = { 'x-synctalk-site': site.publicId, origin: t.url };
    expect(await popupTarget(headers)).toBe(t.url);
    expect(await popupTarget(headers, `?origin=${encodeURIComponent(t.url)}`)).toBe(t.url);
  });

  it('still refuses, or ignores, origins that are neither the site’s nor this server’s', async () => {
    const other = `http://127.0.0.1:${Number(new URL(t.url).port) + 1}`;
    const refused = await client(t.url).get(`/v1/auth/kakao/start?origin=${encodeURIComponent(other)}`, {
      headers: { 'x-synctalk-site': site.publicId },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/not allowed for this site/);
    // Without ?origin= an unknown calling page falls back to the site's first origin, as before.
    expect(await popupTarget({ 'x-synctalk-site': site.publicId })).toBe('https://shop.example');
  });
});
