/**
 * The floating widget lives in the browser's top layer (a manual popover) and behaves like a good guest
 * there: the page stays clickable wherever the widget is not (even inside the widget's own box), a host
 * `::backdrop` rule dims nothing for it, a host dialog opened later goes above it, moving the element keeps
 * it in the top layer, and without the Popover API the `zIndex` option still decides.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { converse } from './helpers/conversation.js';
import { useChatEnvironment } from './helpers/environment.js';
import { expectPanelOnTop, expectPinned, hitsAt, openOnTop, pointsOf } from './helpers/on-top.js';
import { embedPage } from './helpers/pages.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { part, readMessages } from './helpers/widget.js';

const inTopLayer = (page: Page) =>
  page.evaluate(() => document.querySelector('synctalk-chat')!.matches(':popover-open'));

/** A help button left of the launcher, a wide promotion dialog, and dimmed backdrops for every dialog. */
const SHOP_STYLE = `<style>
#help-line { position: fixed; right: 100px; bottom: 30px; width: 140px; height: 40px; }
#promo { width: 720px; padding: 32px; font: 18px sans-serif; }
::backdrop { background: rgb(0 0 0 / 0.5); }
main.framed { transform: translateX(0); overflow: hidden; height: 120px; border: 1px solid #ccc; }
</style>`;
const SHOP_BODY = `<button id="help-line" type="button" data-clicks="0">Call us</button>
<dialog id="promo"><p>Winter sale: 20% off all sleeping bags until Sunday.</p></dialog>
<script>
document.getElementById('help-line').addEventListener('click', (e) => { e.currentTarget.dataset.clicks++; });
</script>`;

/** A header at a z-index above the widget's default, added after the widget once the page loaded. */
const LATE_HEADER = `addEventListener('load', () => {
  const header = document.createElement('header');
  header.id = 'late-nav';
  header.textContent = 'Fjord Coffee Roasters';
  document.body.append(header);
});
`;
const LATE_HEADER_STYLE = `<style>#late-nav { position: fixed; top: 0; left: 0; right: 0; height: 90px; z-index: 2147483100;
  box-sizing: border-box; padding: 30px; background: #4a2c2a; color: #fff; font: 600 20px sans-serif; }</style>`;

describeBrowser('widget: in the browser’s top layer', () => {
  const env = useChatEnvironment({ label: 'top_layer' });
  const visitors = useVisitors();

  async function shop(slug: string, member: string, extra: { data?: Record<string, string> } = {}) {
    const [node] = env.nodes;
    const cast = await roomWithMember(node!, { title: 'Orders', owner: 'Sofia Berg', member });
    env.host.serve(`/${slug}.html`, {
      body: embedPage({
        chat: node!.url,
        data: { room: cast.room.id, ...extra.data },
        title: 'Nordic Trail Outfitters',
        head: SHOP_STYLE,
        body: SHOP_BODY,
      }),
    });
    return { node: node!, cast };
  }

  it('leaves the page clickable beside the open panel and paints no backdrop', async () => {
    const { node, cast } = await shop('beside', 'Aiko Tanaka');
    const page = await visitors.page();
    await page.goto(env.host.url('/beside.html'));
    await part(page, 'launcher').waitFor();
    expect(await inTopLayer(page)).toBe(true);
    await openOnTop(page);
    await converse(page, node.url, cast, 'Is the down jacket warm enough for −20?', 'Rated to −25.');

    // The help button lies inside the widget's own box (the column above the launcher), where the pointer
    // goes through to the page.
    const widget = (await page.locator('synctalk-chat').boundingBox())!;
    const help = (await page.locator('#help-line').boundingBox())!;
    expect(help.x).toBeGreaterThan(widget.x);
    expect(help.y + help.height).toBeLessThan(widget.y + widget.height);
    const [centre] = await hitsAt(page, [pointsOf(help)[0]!]);
    expect(centre!.what).toBe('button#help-line');
    await page.locator('#help-line').click();
    expect(await page.locator('#help-line').getAttribute('data-clicks')).toBe('1');

    // The page's `::backdrop` rule is live (a dialog gets it) but the widget has no backdrop to paint.
    const backdrops = await page.evaluate(() => ({
      widget: getComputedStyle(document.querySelector('synctalk-chat')!, '::backdrop').display,
      dialog: getComputedStyle(document.getElementById('promo')!, '::backdrop').backgroundColor,
    }));
    expect(backdrops).toEqual({ widget: 'none', dialog: 'rgba(0, 0, 0, 0.5)' });
    await expectPanelOnTop(page);
    await screenshot(page, 'top-layer-page-clickable-beside');
  });

  it('lets a host dialog opened later cover the chat, then is on top again', async () => {
    const { node, cast } = await shop('dialog', 'Mateo Ruiz');
    const page = await visitors.page();
    await page.goto(env.host.url('/dialog.html'));
    await openOnTop(page);
    await converse(page, node.url, cast, 'Do you ship to Iceland?', 'Yes, in 4 days.');

    await page.evaluate(() => (document.getElementById('promo') as HTMLDialogElement).showModal());
    const dialog = (await page.locator('#promo').boundingBox())!;
    const panel = (await part(page, 'panel').boundingBox())!;
    const overlap = [panel.x + 20, dialog.y + dialog.height / 2] as const;
    expect(overlap[0]).toBeLessThan(dialog.x + dialog.width);
    const [hit] = await hitsAt(page, [overlap]);
    expect(hit!.widget).toBe(false);
    expect(hit!.what).toMatch(/^(dialog#promo|p)$/);
    await screenshot(page, 'top-layer-host-dialog-above');

    await page.evaluate(() => (document.getElementById('promo') as HTMLDialogElement).close());
    await expectPanelOnTop(page);
    expect(await inTopLayer(page)).toBe(true);
  });

  it('stays in the top layer when the page moves it into a transformed, clipping box', async () => {
    const { node, cast } = await shop('moved', 'Elif Kaya');
    const page = await visitors.page();
    await page.goto(env.host.url('/moved.html'));
    await openOnTop(page);
    await converse(page, node.url, cast, 'Can I collect in store?', 'Any day after 10.');

    // A page script re-parents the element into a box that would scale, clip and anchor a fixed child.
    await page.evaluate(() => {
      const main = document.querySelector('main')!;
      main.className = 'framed';
      main.append(document.querySelector('synctalk-chat')!);
    });
    expect(await page.evaluate(() => document.querySelector('main synctalk-chat') !== null)).toBe(true);
    await expect.poll(() => inTopLayer(page), POLL).toBe(true);
    await expectPinned(page);
    await expectPanelOnTop(page);
    // The same session, conversation and all.
    expect((await readMessages(page)).map((m) => m.text)).toEqual([
      'Can I collect in store?',
      'Any day after 10.',
    ]);
    await screenshot(page, 'top-layer-moved-into-clipping-box');
  });

  it('falls back to the zIndex option where the Popover API is missing', async () => {
    const [node] = env.nodes;
    const cast = await roomWithMember(node!, { title: 'Beans', owner: 'Lars Holm', member: 'Priya Nair' });
    env.host.serve('/late-nav.js', { body: LATE_HEADER, type: 'text/javascript' });
    const page = async (path: string, data: Record<string, string>) => {
      env.host.serve(path, {
        body: embedPage({
          chat: node!.url,
          data: { room: cast.room.id, ...data },
          title: 'Fjord Coffee Roasters',
          head: `${LATE_HEADER_STYLE}<script src="/late-nav.js"></script>`,
        }),
      });
      const p = await visitors.page();
      await p.addInitScript(() => {
        delete (HTMLElement.prototype as Partial<HTMLElement>).showPopover;
      });
      await p.goto(env.host.url(path));
      await p.locator('#late-nav').waitFor();
      await part(p, 'launcher').waitFor();
      expect(await p.evaluate(() => document.querySelector('synctalk-chat')!.hasAttribute('popover'))).toBe(
        false,
      );
      return p;
    };

    // The default z-index (2147483000) loses to the header's 2147483100: the check below can fail.
    const low = await page('/default-z.html', {});
    await part(low, 'launcher').click();
    await part(low, 'panel').waitFor();
    const top = (await part(low, 'panel').boundingBox())!;
    const [covered] = await hitsAt(low, [[top.x + 40, top.y + 20]]);
    expect(covered!.what).toBe('header#late-nav');
    await screenshot(low, 'top-layer-no-popover-default-z-index');

    // data-z-index above the header's puts the chat back on top.
    const high = await page('/high-z.html', { 'z-index': '2147483200' });
    await openOnTop(high);
    await expectPinned(high);
    await converse(high, node!.url, cast, 'Is the Kenya roast in stock?', 'Back on Monday.');
    await expectPanelOnTop(high);
    await screenshot(high, 'top-layer-no-popover-high-z-index');
  });
});
