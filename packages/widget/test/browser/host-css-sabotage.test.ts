/**
 * Host CSS that wrecks the host's own page leaves the floating widget alone: `* { all: unset !important }`,
 * `div, span, button { display: none !important }`, `html { font-size: 8px }` and `body { transform:
 * scale(.9) }` each apply to the host (checked on its elements), while the launcher and the open panel keep
 * their size and readable text, stay pinned to the viewport's corner above the page, and chat works.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { converse } from './helpers/conversation.js';
import { useChatEnvironment } from './helpers/environment.js';
import { expectPanelOnTop, expectPinned, openOnTop } from './helpers/on-top.js';
import { embedPage } from './helpers/pages.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { part } from './helpers/widget.js';

interface Sabotage {
  slug: string;
  title: string;
  css: string;
  body?: string;
  /** Shows the rule really applies to the host page. */
  live(page: Page): Promise<void>;
}

const computed = (page: Page, selector: string, property: string) =>
  page.evaluate(
    ([s, p]) => getComputedStyle(document.querySelector(s!)!).getPropertyValue(p!),
    [selector, property],
  );

const SABOTAGES: Sabotage[] = [
  {
    slug: 'all-unset',
    title: 'Bergen Bike Repair',
    css: '* { all: unset !important; }',
    async live(page) {
      // Even <head> and <main> lost their display: the page is one run of inline text.
      expect(await computed(page, 'head', 'display')).toBe('inline');
      expect(await computed(page, 'main', 'display')).toBe('inline');
    },
  },
  {
    slug: 'display-none',
    title: 'Lisbon Tile Studio',
    css: 'div, span, button { display: none !important; }',
    body: '<div id="promo"><span>Free shipping over €50</span> <button type="button">Shop now</button></div>',
    async live(page) {
      expect(await computed(page, '#promo', 'display')).toBe('none');
      expect(await computed(page, '#promo button', 'display')).toBe('none');
    },
  },
  {
    slug: 'root-font-8px',
    title: 'Kyoto Paper Goods',
    css: 'html { font-size: 8px; } main p { font-size: 1rem; }',
    async live(page) {
      expect(await computed(page, 'html', 'font-size')).toBe('8px');
      expect(await computed(page, 'main p', 'font-size')).toBe('8px');
      expect(await computed(page, 'h1', 'font-size')).toBe('16px'); // 2em of 8px
    },
  },
  {
    slug: 'body-transform',
    title: 'Oslo Ski Rental',
    css:
      'body { transform: scale(.9); } ' +
      '#to-top { position: fixed; left: 20px; bottom: 20px; width: 120px; height: 40px; background: #ddd; }',
    body: '<a id="to-top" href="#">Back to top</a>',
    async live(page) {
      expect(await computed(page, 'body', 'transform')).toBe('matrix(0.9, 0, 0, 0.9, 0, 0)');
      // The host's own fixed element is scaled and placed by the body, not by the viewport.
      const box = (await page.locator('#to-top').boundingBox())!;
      const height = await page.evaluate(() => innerHeight);
      expect(box.width).toBeCloseTo(108, 0);
      expect(Math.abs(box.y + box.height - (height - 20))).toBeGreaterThan(10);
    },
  },
];

describeBrowser('widget: host CSS that sabotages the page', () => {
  const env = useChatEnvironment({ label: 'host_css_sabotage' });
  const visitors = useVisitors();

  for (const sabotage of SABOTAGES) {
    it(`stays whole, on top and in its corner under ${sabotage.css.split(';')[0]}`, async () => {
      const [node] = env.nodes;
      const cast = await roomWithMember(node!, {
        title: 'Orders',
        owner: 'Ines Duarte',
        member: `Tomas ${sabotage.title.split(' ')[0]}`,
      });
      env.host.serve(`/${sabotage.slug}.html`, {
        body: embedPage({
          chat: node!.url,
          data: { room: cast.room.id },
          title: sabotage.title,
          head: `<style>${sabotage.css}</style>`,
          body: sabotage.body,
        }),
      });

      const page = await visitors.page();
      await page.goto(env.host.url(`/${sabotage.slug}.html`));
      await part(page, 'launcher').waitFor();
      await sabotage.live(page);

      await expectPinned(page);
      await openOnTop(page);
      await expectPinned(page);
      await converse(page, node!.url, cast, 'Do you deliver on Saturdays?', 'We do, until 2 pm.');
      await expectPanelOnTop(page);
      await expectPinned(page);

      // Readable: the widget's own sizes, not the page's root font size or scale.
      const sizes = await part(page, 'panel').evaluate((panel) =>
        ['[part~="room-title"]', '[part~="text"]', '[part~="input"]'].map(
          (s) => getComputedStyle(panel.querySelector(s)!).fontSize,
        ),
      );
      expect(sizes).toEqual(['15px', '14px', '16px']);
      await screenshot(page, `host-css-sabotage-${sabotage.slug}`);
    });
  }
});
