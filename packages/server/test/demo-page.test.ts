/**
 * The demo page at `/` (DEMO_PAGE=true): static HTML embedding the widget exactly as a host would, with
 * session storage (one guest per tab), the snippet to embed it elsewhere, a strict CSP without inline code,
 * and its stylesheet at /demo.css.
 */
import { beforeAll, expect, it } from 'vitest';
import { defaultSite } from './helpers/factories.js';
import { describeWith } from './helpers/services.js';
import { useWidgetFixture } from './helpers/use-server.js';
import type { TestServer } from './helpers/server.js';

describeWith(['postgres'], 'GET /: the demo page', () => {
  const f = useWidgetFixture('demo_page');
  let t: TestServer;
  let siteId: string;

  beforeAll(async () => {
    t = await f.start({ DEMO_PAGE: 'true' });
    siteId = (await defaultSite(t)).publicId;
  });

  const page = async (path = '/', init: RequestInit = {}) => {
    const res = await fetch(`${t.url}${path}`, init);
    return { res, html: await res.text() };
  };

  it('embeds the widget with the public snippet a host would paste, in session storage', async () => {
    const { res, html } = await page();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(siteId).toMatch(/^st_[A-Za-z0-9]{16}$/);
    const scripts = html.match(/<script\b[^>]*>/g);
    expect(scripts).toEqual([`<script async src="/widget.js" data-site="${siteId}" data-storage="session">`]);
    expect(html).toContain(`data-site="${siteId}" data-storage="session"></script>`);
  });

  it('sends a strict CSP naming this host for the socket, nosniff and a referrer policy', async () => {
    const { res } = await page();
    const host = new URL(t.url).host;
    expect(res.headers.get('content-security-policy')).toBe(
      `default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self' ws://${host} wss://${host}; ` +
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin');
  });

  it('has no inline script, inline style or event handler: its CSS is a same-origin file', async () => {
    const { html } = await page();
    expect(html.match(/<script(?![^>]*\ssrc=)[^>]*>/g)).toBeNull();
    expect(html).not.toMatch(/<style\b/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    expect(html).toContain('<link rel="stylesheet" href="/demo.css">');
    const css = await page('/demo.css');
    expect(css.res.status).toBe(200);
    expect(css.res.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(css.html).toMatch(/body\s*\{/);
    const etag = css.res.headers.get('etag')!;
    const again = await fetch(`${t.url}/demo.css`, {
      headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' },
    });
    expect(again.status).toBe(304);
  });

  it('explains how to embed it elsewhere: the snippet with this server and site, and the origin to allow', async () => {
    const { html } = await page();
    expect(html).toContain(
      `&lt;script async src=&quot;${t.url}/widget.js&quot; data-site=&quot;${siteId}&quot;&gt;&lt;/script&gt;`,
    );
    expect(html).toContain('CORS_ORIGINS');
    expect(html).toContain('allowedOrigins');
    expect(html).toMatch(/second tab/);
    // The bundle is there: no "not built" notice.
    expect(html).not.toMatch(/not built/);
  });

  it('answers HEAD with the headers only, and other methods with 405 JSON', async () => {
    const head = await page('/', { method: 'HEAD' });
    expect(head.res.status).toBe(200);
    expect(head.html).toBe('');
    expect(head.res.headers.get('content-security-policy')).toMatch(/^default-src 'none'/);
    const post = await fetch(`${t.url}/`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(((await post.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
  });
});
