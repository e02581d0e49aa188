/**
 * Caching of the widget bundle: a strong ETag (the content hash) with 304 revalidation, a short max-age on
 * /widget.js and a year, immutable, on the versioned URL; a rebuild is served at once with a new ETag.
 */
import { createHash } from 'node:crypto';
import { beforeAll, expect, it } from 'vitest';
import { describeWith } from './helpers/services.js';
import { useWidgetFixture } from './helpers/use-server.js';
import type { TestServer } from './helpers/server.js';
import { widgetVersion } from './helpers/widget-build.js';

describeWith(['postgres'], 'widget bundle caching: ETag, 304, Cache-Control, rebuilds', () => {
  const f = useWidgetFixture('widget_caching');
  let t: TestServer;
  const version = widgetVersion;

  beforeAll(async () => {
    t = await f.start();
  });

  // The uncompressed representation (compressed ones: widget-bundle-compression.test.ts).
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${t.url}${path}`, { headers: { 'accept-encoding': 'identity', ...headers }, method });
  // fetch() adds `Cache-Control: no-cache` (an end-to-end reload, always answered in full) to requests with
  // If-None-Match unless one is given; a browser revalidating its cache sends max-age=0.
  const revalidate = (path: string, ifNoneMatch: string, method = 'GET') =>
    get(path, { 'if-none-match': ifNoneMatch, 'cache-control': 'max-age=0' }, method);
  const etagOf = (body: Buffer) => `"${createHash('sha384').update(body).digest('base64url')}"`;

  it('caches /widget.js for 5 minutes and the versioned URL for a year, immutable', async () => {
    expect((await get('/widget.js')).headers.get('cache-control')).toBe('public, max-age=300');
    expect((await get('/widget.js.map')).headers.get('cache-control')).toBe('public, max-age=300');
    for (const file of ['widget.js', 'widget.js.map']) {
      expect((await get(`/widget/${version}/${file}`)).headers.get('cache-control')).toBe(
        'public, max-age=31536000, immutable',
      );
    }
  });

  it('tags the file with a strong ETag made from its content, the same on both URLs', async () => {
    const latest = await get('/widget.js');
    const pinned = await get(`/widget/${version}/widget.js`);
    expect(latest.headers.get('etag')).toBe(etagOf(f.build.js));
    expect(pinned.headers.get('etag')).toBe(etagOf(f.build.js));
    expect((await get('/widget.js.map')).headers.get('etag')).toBe(etagOf(f.build.map));
  });

  it('answers 304 without a body to a matching If-None-Match (GET and HEAD), 200 otherwise', async () => {
    const etag = etagOf(f.build.js);
    for (const path of ['/widget.js', `/widget/${version}/widget.js`]) {
      for (const method of ['GET', 'HEAD']) {
        for (const inm of [etag, `"stale", ${etag}`, `W/${etag}`, '*']) {
          const res = await revalidate(path, inm, method);
          expect(res.status, `${method} ${path} ${inm}`).toBe(304);
          expect(await res.text()).toBe('');
          expect(res.headers.get('etag')).toBe(etag);
        }
      }
      const stale = await revalidate(path, '"something-else"');
      expect(stale.status).toBe(200);
      expect(Buffer.from(await stale.arrayBuffer())).toEqual(f.build.js);
    }
  });

  it('serves a rebuilt file at once, with a new ETag; the old ETag no longer revalidates', async () => {
    const before = etagOf(f.build.js);
    const js = f.build.rebuild();
    const res = await revalidate('/widget.js', before);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(js);
    expect(res.headers.get('etag')).toBe(etagOf(js));
    expect(res.headers.get('etag')).not.toBe(before);
  });
});
