/**
 * The demo page's snippet names PUBLIC_URL when set (else the request's origin), and everything interpolated
 * into the page is escaped; a missing bundle is explained on the page.
 */
import { beforeAll, expect, it } from 'vitest';
import { describeWith } from './helpers/services.js';
import { useWidgetFixture } from './helpers/use-server.js';
import type { TestServer } from './helpers/server.js';

describeWith(['postgres'], 'the demo page: PUBLIC_URL, escaping, unbuilt widget', () => {
  const f = useWidgetFixture('demo_page_public_url', { empty: true });
  let t: TestServer;

  beforeAll(async () => {
    // A valid URL whose query carries markup: it must come out as text.
    t = await f.start({ DEMO_PAGE: '1', PUBLIC_URL: 'https://chat.example.com/?x="><img src=x>' });
  });

  it('puts PUBLIC_URL in the snippet, escaped', async () => {
    const html = await (await fetch(`${t.url}/`)).text();
    expect(html).toContain(
      '&lt;script async src=&quot;https://chat.example.com/?x=&quot;&gt;&lt;img src=x&gt;/widget.js&quot;',
    );
    expect(html).not.toContain('<img');
    expect(html).not.toContain(t.url);
    // The page itself still loads the widget from its own origin.
    expect(html).toContain('<script async src="/widget.js"');
  });

  it('says how to build the widget while it is not built', async () => {
    const html = await (await fetch(`${t.url}/`)).text();
    expect(html).toContain('The widget is not built yet');
    expect(html).toContain('npm run build -w @synctalk/widget');
  });
});
