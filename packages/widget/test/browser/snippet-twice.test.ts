/**
 * The widget's script on a page twice (the snippet pasted in the theme and again by a plugin, or a tag
 * manager adding the pinned copy after the page loaded) makes one widget: one element, one launcher, one
 * panel, one WebSocket, each message shown once.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { converse } from './helpers/conversation.js';
import { useChatEnvironment } from './helpers/environment.js';
import { expectPanelOnTop, expectPinned, openOnTop } from './helpers/on-top.js';
import { embedPage, escapeAttribute } from './helpers/pages.js';
import { roomWithMember, type RoomWithMember } from './helpers/rooms.js';
import { describeBrowser } from './helpers/suite.js';
import { recordTraffic } from './helpers/traffic.js';
import { useVisitors } from './helpers/visitors.js';
import { part } from './helpers/widget.js';

/** A tag manager: once the page loaded, it adds the widget again, pinned to this version. */
const TAG_MANAGER = `addEventListener('load', () => {
  const first = document.querySelector('script[src$="/widget.js"]');
  const copy = document.createElement('script');
  copy.src = first.src.replace(/\\/widget\\.js$/, '/widget/' + window.SyncTalk.loaded + '/widget.js');
  copy.dataset.room = first.dataset.room;
  copy.onload = () => { document.documentElement.dataset.secondCopy = 'ran'; };
  document.head.append(copy);
});
`;

describeBrowser('widget: the script included twice', () => {
  const env = useChatEnvironment({ label: 'snippet_twice' });
  const visitors = useVisitors();

  /** One of everything, a conversation shown once, over a single WebSocket. */
  async function expectOneWidget(page: Page, cast: RoomWithMember, websockets: string[], name: string) {
    const [node] = env.nodes;
    expect(await page.locator('synctalk-chat').count()).toBe(1);
    expect(await part(page, 'launcher').count()).toBe(1);
    await openOnTop(page);
    await expectPinned(page);
    expect(await part(page, 'panel').count()).toBe(1);
    await converse(page, node!.url, cast, 'Is the blue kettle back in stock?', 'Yes, since this morning.');
    await expectPanelOnTop(page);
    expect(await page.locator('synctalk-chat').count()).toBe(1);
    expect(await part(page, 'panel').count()).toBe(1);
    expect(websockets).toEqual([node!.url]);
    await screenshot(page, name);
  }

  it('pasted twice in the page: both copies run, one widget', async () => {
    const [node] = env.nodes;
    const cast = await roomWithMember(node!, { title: 'Kitchen', owner: 'Ada Byrne', member: 'Colm Walsh' });
    const src = escapeAttribute(`${node!.url}/widget.js`);
    env.host.serve('/twice.html', {
      body: embedPage({
        chat: node!.url,
        data: { room: cast.room.id },
        title: 'Byrne & Walsh Kitchenware',
        // The same snippet again, marking when it has run.
        head: `<script async src="${src}" data-locale="en" data-room="${cast.room.id}"
          onload="document.documentElement.dataset.secondCopy = 'ran'"></script>`,
      }),
    });

    const page = await visitors.page();
    const traffic = recordTraffic(page);
    await page.goto(env.host.url('/twice.html'));
    await page.locator('html[data-second-copy="ran"]').waitFor({ state: 'attached' });
    expect(await page.locator(`script[src="${src}"]`).count()).toBe(2);
    await expectOneWidget(page, cast, traffic.websockets, 'snippet-twice-pasted');
    expect(visitors.pageErrors).toEqual([]);
  });

  it('a second copy added after the page loaded changes nothing', async () => {
    const [node] = env.nodes;
    const cast = await roomWithMember(node!, { title: 'Kitchen', owner: 'Ada Byrne', member: 'Nuala Quinn' });
    env.host.serve('/tag-manager.js', { body: TAG_MANAGER, type: 'text/javascript' });
    env.host.serve('/later.html', {
      body: embedPage({
        chat: node!.url,
        data: { room: cast.room.id },
        title: 'Byrne & Walsh Kitchenware',
        head: '<script src="/tag-manager.js"></script>',
      }),
    });

    const page = await visitors.page();
    const traffic = recordTraffic(page);
    await page.goto(env.host.url('/later.html'));
    await page.locator('html[data-second-copy="ran"]').waitFor({ state: 'attached' });
    // The copy really came from elsewhere (the versioned URL) and was fetched.
    const pinned = await page.evaluate(() =>
      [...document.querySelectorAll('script[src*="/widget"]')].map(
        (s) => new URL((s as HTMLScriptElement).src).pathname,
      ),
    );
    expect(pinned).toEqual([
      '/widget.js',
      expect.stringMatching(/^\/widget\/\d+\.\d+\.\d+[^/]*\/widget\.js$/),
    ]);
    await expectOneWidget(page, cast, traffic.websockets, 'snippet-twice-added-later');
    expect(visitors.pageErrors).toEqual([]);
  });
});
