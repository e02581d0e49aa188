/**
 * GET /widget.js and /widget/<version>/widget.js: the bundle as any website loads it, readable cross-origin
 * without credentials, with its source map beside it; other versions and methods are JSON errors.
 */
import { beforeAll, expect, it } from 'vitest';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useWidgetFixture } from './helpers/use-server.js';
import type { TestServer } from './helpers/server.js';
import { widgetVersion } from './helpers/widget-build.js';

describeWith(['postgres'], 'GET /widget.js: the widget bundle', () => {
  const f = useWidgetFixture('widget_serving');
  let t: TestServer;

  beforeAll(async () => {
    t = await f.start();
  });

  // The uncompressed representation (compressed ones: widget-bundle-compression.test.ts).
  const get = (path: string, init: RequestInit = {}) =>
    fetch(`${t.url}${path}`, {
      ...init,
      headers: { 'accept-encoding': 'identity', ...(init.headers as Record<string, string> | undefined) },
    });

  for (const path of ['/widget.js', `/widget/${widgetVersion}/widget.js`]) {
    it(`${path} answers the file as JavaScript anyone may load cross-origin`, async () => {
      const res = await get(path, { headers: { origin: 'https://any-host.example' } });
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(f.build.js);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
      expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('etag')).toMatch(/^"[A-Za-z0-9_-]{64}"$/);
    });

    it(`${path}.map answers the source map beside it`, async () => {
      const res = await get(`${path}.map`);
      expect(res.status).toBe(200);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(f.build.map);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    });

    it(`HEAD ${path} gives the same headers and no body`, async () => {
      const full = await get(path);
      const head = await get(path, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(await head.text()).toBe('');
      for (const h of ['content-type', 'etag', 'cache-control', 'access-control-allow-origin']) {
        expect(head.headers.get(h), h).toBe(full.headers.get(h));
      }
      expect(head.headers.get('content-length')).toBe(String(f.build.js.length));
    });
  }

  it('serves the versioned file only under the widget package version', async () => {
    expect(widgetVersion).toMatch(/^\d+\.\d+\.\d+/);
    for (const version of ['0.0.0', '9.9.9', 'latest', `v${widgetVersion}`, `${widgetVersion}-beta`, '<b>']) {
      for (const file of ['widget.js', 'widget.js.map', 'integrity.json']) {
        const res = await client(t.url).get(`/widget/${encodeURIComponent(version)}/${file}`);
        expect(res.status, `${version}/${file}`).toBe(404);
        expect(res.body.error.code).toBe('not_found');
        expect(res.body.error.message).toContain(widgetVersion);
      }
    }
  });

  it('answers other methods with 405 JSON and unknown files with 404 JSON', async () => {
    const post = await client(t.url).post('/widget.js', { body: {} });
    expect(post.status).toBe(405);
    expect(post.body.error.code).toBe('method_not_allowed');
    expect(post.headers.get('allow')).toMatch(/GET/);
    for (const path of ['/widget.css', `/widget/${widgetVersion}/loader.js`, `/widget/${widgetVersion}/`]) {
      const res = await client(t.url).get(path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });
});
