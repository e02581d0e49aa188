/**
 * examples/script-tag: its static server fills in the site and serves pages that embed the widget with one
 * tag and keep all their code in same-origin files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExample, type RunningExample } from './helpers/example.js';
import { defaultSite } from './helpers/factories.js';
import { startTestServer, type TestServer } from './helpers/server.js';

describe('examples/script-tag', () => {
  let t: TestServer;
  let example: RunningExample;

  beforeAll(async () => {
    t = await startTestServer();
    example = await startExample('script-tag/serve.mjs', { SYNCTALK_URL: t.url });
  });
  afterAll(async () => {
    await example?.stop();
    await t?.close();
  });

  const get = async (path: string) => {
    const res = await fetch(`${example.url}${path}`);
    return { res, text: await res.text() };
  };

  it("embeds the widget with the default site's id, asked from GET /v1/site/public", async () => {
    const site = await defaultSite(t);
    const { res, text } = await get('/');
    expect(res.status).toBe(200);
    expect(text).toContain(`<script async src="${t.url}/widget.js" data-site="${site.publicId}"></script>`);
    expect(text).not.toContain('st_YOUR_SITE_ID');
    const inline = await get('/inline.html');
    expect(inline.text).toContain(`<synctalk-chat id="chat" site="${site.publicId}" server="${t.url}">`);
    expect(inline.text).toContain(`<script async src="${t.url}/widget.js" data-manual></script>`);
  });

  it('keeps every script in a same-origin file, under a CSP without unsafe-inline', async () => {
    for (const [page, script] of [
      ['/', 'app.js'],
      ['/inline.html', 'inline.js'],
    ] as const) {
      const { res, text } = await get(page);
      expect(res.headers.get('content-security-policy')).toBe(
        `script-src 'self' ${t.url}; object-src 'none'; base-uri 'none'`,
      );
      expect(text.match(/<script(?![^>]*\ssrc=)[^>]*>/g)).toBeNull();
      expect(text).toContain(`<script src="${script}"></script>`);
      expect((await get(`/${script}`)).res.headers.get('content-type')).toMatch(/^text\/javascript/);
    }
    const app = (await get('/app.js')).text;
    expect(app).toContain("SyncTalk('on', 'unread'");
    expect(app).toContain("SyncTalk('open')");
  });

  it('serves only its own files', async () => {
    for (const path of ['/serve.mjs', '/../package.json', '/%2e%2e/README.md', '/README.md']) {
      expect((await get(path)).res.status).toBe(404);
    }
  });
});
