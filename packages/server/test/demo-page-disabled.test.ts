/**
 * Without DEMO_PAGE (the default outside development) `/` stays a 404 JSON, there is no /demo.css, and no
 * demo room is created; the widget bundle is served all the same.
 */
import { beforeAll, expect, it } from 'vitest';
import { defaultSite } from './helpers/factories.js';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useWidgetFixture } from './helpers/use-server.js';
import type { TestServer } from './helpers/server.js';

describeWith(['postgres'], 'DEMO_PAGE off: no demo page, no demo room', () => {
  const f = useWidgetFixture('demo_page_disabled');
  let byDefault: TestServer;
  let off: TestServer;

  beforeAll(async () => {
    // NODE_ENV=test: off by default; and explicitly off.
    byDefault = await f.start();
    off = await f.start({ DEMO_PAGE: 'false' });
  });

  it('answers / and /demo.css with 404 JSON', async () => {
    for (const t of [byDefault, off]) {
      expect(t.server.config.demo.enabled).toBe(false);
      for (const path of ['/', '/demo.css']) {
        const res = await client(t.url).get(path);
        expect(res.status, path).toBe(404);
        expect(res.body.error.code).toBe('not_found');
        // The API's policy, not the page's.
        expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      }
    }
  });

  it('creates no room, while /widget.js is still served', async () => {
    expect((await defaultSite(byDefault)).publicRoomCount).toBe(0);
    const [rooms] = await byDefault.server.db('rooms').count<{ count: string }[]>({ count: '*' });
    expect(Number(rooms!.count)).toBe(0);
    expect((await fetch(`${off.url}/widget.js`)).status).toBe(200);
  });
});
