/**
 * GET /widget/<version>/integrity.json: what a host needs to pin the bundle with Subresource Integrity —
 * the versioned URL (on PUBLIC_URL, else the request's origin) and the sha384 of the exact bytes served.
 */
import { beforeAll, expect, it } from 'vitest';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useWidgetFixture } from './helpers/use-server.js';
import type { TestServer } from './helpers/server.js';
import { sri, widgetVersion } from './helpers/widget-build.js';

describeWith(['postgres'], 'widget integrity.json: the versioned URL and its SRI hash', () => {
  const f = useWidgetFixture('widget_integrity');
  let t: TestServer;
  let behindProxy: TestServer;

  beforeAll(async () => {
    t = await f.start();
    behindProxy = await f.start({ PUBLIC_URL: 'https://chat.example.com/' });
  });

  it('names the version, the absolute versioned URL and the sha384 of the bytes that URL serves', async () => {
    const res = await client(t.url).get(`/widget/${widgetVersion}/integrity.json`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      version: widgetVersion,
      url: `${t.url}/widget/${widgetVersion}/widget.js`,
      integrity: sri(f.build.js),
    });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    // The URL it names serves exactly the bytes the hash is of.
    const served = Buffer.from(await (await fetch(res.body.url)).arrayBuffer());
    expect(sri(served)).toBe(res.body.integrity);
  });

  it('uses PUBLIC_URL for the URL when set, and follows a rebuild', async () => {
    const first = await client(behindProxy.url).get(`/widget/${widgetVersion}/integrity.json`);
    expect(first.body.url).toBe(`https://chat.example.com/widget/${widgetVersion}/widget.js`);
    const js = f.build.rebuild();
    const second = await client(behindProxy.url).get(`/widget/${widgetVersion}/integrity.json`);
    expect(second.body.integrity).toBe(sri(js));
    expect(second.body.integrity).not.toBe(first.body.integrity);
  });
});
