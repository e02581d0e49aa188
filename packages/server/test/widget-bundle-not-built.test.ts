/**
 * Before the widget is built, every bundle URL is a 404 JSON saying how to build it (never a 5xx, never
 * cached), and the files are served as soon as a build appears, without a restart.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { client } from './helpers/http.js';
import { describeWith } from './helpers/services.js';
import { useWidgetFixture } from './helpers/use-server.js';
import type { TestServer } from './helpers/server.js';
import { sri, widgetVersion } from './helpers/widget-build.js';

describeWith(['postgres'], 'widget bundle not built yet', () => {
  const f = useWidgetFixture('widget_not_built', { empty: true });
  let t: TestServer;

  beforeAll(async () => {
    t = await f.start();
  });

  const paths = [
    '/widget.js',
    '/widget.js.map',
    `/widget/${widgetVersion}/widget.js`,
    `/widget/${widgetVersion}/widget.js.map`,
    `/widget/${widgetVersion}/integrity.json`,
  ];

  it('answers 404 JSON naming the build command, not cached', async () => {
    for (const path of paths) {
      const res = await client(t.url).get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body).toEqual({
        error: {
          code: 'not_found',
          message: 'The widget is not built: run npm run build -w @synctalk/widget',
        },
      });
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
    }
  });

  it('serves the files once they are built, without a restart', async () => {
    const js = f.build.rebuild();
    const res = await fetch(`${t.url}/widget.js`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(js);
    // The map is a file of its own: still missing, still a 404.
    expect((await client(t.url).get('/widget.js.map')).status).toBe(404);
    writeFileSync(join(f.build.dir, 'widget.js.map'), f.build.map);
    expect((await client(t.url).get('/widget.js.map')).status).toBe(200);
    const integrity = await client(t.url).get(`/widget/${widgetVersion}/integrity.json`);
    expect(integrity.body.integrity).toBe(sri(js));
  });
});
