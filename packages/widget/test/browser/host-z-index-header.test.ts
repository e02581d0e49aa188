/**
 * A host page whose fixed header and cookie-consent wall (the whole viewport below the header) both use the highest z-index there is
 * (2147483647) and come after the widget in the DOM (built once the page loaded), which would win every
 * z-index contest: the launcher and the open panel are still above them, hit by the pointer, and chat works.
 */
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { converse } from './helpers/conversation.js';
import { useChatEnvironment } from './helpers/environment.js';
import { expectPanelOnTop, expectPinned, hitsAt, openOnTop } from './helpers/on-top.js';
import { embedPage } from './helpers/pages.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { part } from './helpers/widget.js';

/** The site's header and cookie consent, added after the page (and so the chat's element) loaded. */
const SITE_CHROME = `addEventListener('load', () => {
  const header = document.createElement('header');
  header.id = 'site-nav';
  header.innerHTML = '<strong>Harbor &amp; Pine</strong><nav><a href="#">Shop</a> <a href="#">Journal</a> <a href="#">Stores</a></nav>';
  const consent = document.createElement('div');
  consent.id = 'consent';
  consent.innerHTML = '<div class="box"><p>We use cookies to remember your basket.</p><button type="button">Accept all</button></div>';
  document.body.append(header, consent);
  document.documentElement.dataset.chrome = 'built';
});
`;

const STYLE = `<style>
#site-nav { position: fixed; top: 0; left: 0; right: 0; height: 72px; z-index: 2147483647; display: flex;
  align-items: center; gap: 40px; padding: 0 32px; background: #1d3557; color: #fff; font: 600 18px sans-serif; }
#site-nav a { color: #fff; margin-right: 16px; }
#consent { position: fixed; inset: 72px 0 0; z-index: 2147483647; background: rgb(0 0 0 / 0.4); display: flex;
  align-items: flex-end; justify-content: flex-start; }
#consent .box { display: flex; gap: 16px; align-items: center; margin: 0 0 24px 24px; padding: 12px 20px;
  background: #fff; border-radius: 8px; font: 16px sans-serif; }
</style>`;

describeBrowser('widget: a host header and a cookie wall at z-index 2147483647', () => {
  const env = useChatEnvironment({ label: 'host_z_index_header' });
  const visitors = useVisitors();

  it('keeps the launcher and the panel above the host’s topmost fixed elements', async () => {
    const [node] = env.nodes;
    const cast = await roomWithMember(node!, {
      title: 'Orders',
      owner: 'Nora Lindqvist',
      member: 'Ravi Menon',
    });
    env.host.serve('/site-chrome.js', { body: SITE_CHROME, type: 'text/javascript' });
    env.host.serve('/harbor.html', {
      body: embedPage({
        chat: node!.url,
        data: { room: cast.room.id },
        title: 'Harbor & Pine',
        head: `${STYLE}<script src="/site-chrome.js"></script>`,
      }),
    });

    const page = await visitors.page();
    await page.goto(env.host.url('/harbor.html'));
    await page.locator('html[data-chrome="built"]').waitFor({ state: 'attached' });
    await part(page, 'launcher').waitFor();

    // The host's elements are really there and topmost: later in the DOM than the widget, at the highest
    // z-index, and what the pointer hits wherever the widget is not.
    const order = await page.evaluate(() => {
      const widget = document.querySelector('synctalk-chat')!;
      return ['#site-nav', '#consent'].map((s) => {
        const el = document.querySelector(s)!;
        return {
          after: (widget.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0,
          z: getComputedStyle(el).zIndex,
        };
      });
    });
    expect(order).toEqual([
      { after: true, z: '2147483647' },
      { after: true, z: '2147483647' },
    ]);
    const hostHits = await hitsAt(page, [
      [120, 36],
      [300, 400],
    ]);
    expect(hostHits.map((h) => [h.what.split('.')[0], h.widget])).toEqual([
      ['strong', false], // the header's brand
      ['div#consent', false],
    ]);

    await openOnTop(page);
    await expectPinned(page);
    // The panel reaches under the header's band (the header would cover its top).
    expect((await part(page, 'panel').boundingBox())!.y).toBeLessThan(72);
    await converse(page, node!.url, cast, 'Can I change the delivery address?', 'Yes, until it ships.');
    await expectPanelOnTop(page);
    await screenshot(page, 'host-z-index-header-consent-wall');
  });
});
