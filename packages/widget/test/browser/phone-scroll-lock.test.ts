/**
 * Swiping over the open panel on a phone never scrolls the page behind it: on a long host page scrolled
 * partway, one-finger swipes (real touch events through the DevTools protocol) over the panel's header, the
 * sign-in view and the message list at its top and at its bottom leave `window.scrollY` where it was, while
 * the message list itself still scrolls. The control: the same swipe over the page, before the panel opens
 * and after it closes, does scroll it, and closing leaves the page where the visitor had it.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { participant } from './helpers/participant.js';
import { box, PHONE, PHONE_VIEWPORT, swipe } from './helpers/phone.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { part, readMessages, signInWithPassword } from './helpers/widget.js';

const HISTORY = 40;

/** A finger's travel: up (to read further down a page or a list) or down (back towards the top). */
const UP = -300;
const DOWN = 300;

const pageScrollY = (page: Page) => page.evaluate(() => window.scrollY);

/** The message list's scroll position: its top, and how far it is from its bottom. */
function listPosition(page: Page): Promise<{ top: number; fromBottom: number }> {
  return part(page, 'messages').evaluate((el) => ({
    top: el.scrollTop,
    fromBottom: el.scrollHeight - el.clientHeight - el.scrollTop,
  }));
}

/** A paragraph per trail: a page several screens long. */
function longPage(): string {
  const trails = ['Ridge loop', 'Lake path', 'Pine valley', 'Summit trail', 'River walk', 'Old mill track'];
  return Array.from({ length: 36 }, (_, i) => {
    const trail = trails[i % trails.length]!;
    return `<p>${trail}, stage ${i + 1}: a well marked route with water points, benches and a view worth the climb. Suitable for families, about two hours.</p>`;
  }).join('\n');
}

describeBrowser('widget: swipes over the phone panel stay in the panel', () => {
  // The history is seeded by one connection sending back to back: no rate limit may refuse it.
  const env = useChatEnvironment({
    label: 'phone_scroll_lock',
    env: { MESSAGE_RATE_LIMIT: '1000', SOCKET_EVENT_RATE: '1000', SOCKET_EVENT_BURST: '1000' },
  });
  const visitors = useVisitors();

  it('leaves the host page where it was under any swipe over the panel, and scrolls it again once closed', async () => {
    const [node] = env.nodes;
    const { room, owner, member } = await roomWithMember(node!, {
      title: 'Trail conditions',
      owner: 'Park Rangers',
      member: 'Hugo Laurent',
    });
    const rangers = await participant(node!.url, owner, room.id);
    for (let i = 1; i <= HISTORY; i += 1) await rangers.send(`Trail report ${i}: dry and clear`);
    rangers.close();
    env.host.serve('/trails.html', {
      body: embedPage({
        chat: node!.url,
        data: { room: room.id },
        title: 'Valley Trails',
        viewport: PHONE_VIEWPORT,
        main: longPage(),
      }),
    });

    const page = await visitors.page(PHONE);
    await page.goto(env.host.url('/trails.html'));
    await part(page, 'launcher').waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeGreaterThan(3 * 844);

    // The control: a swipe over the page scrolls it. The visitor reads partway down.
    expect(await pageScrollY(page)).toBe(0);
    await swipe(page, { x: 150, y: 600 }, UP);
    const partway = await pageScrollY(page);
    expect(partway).toBeGreaterThan(100);

    await part(page, 'launcher').tap();
    await part(page, 'signIn').waitFor();
    expect(await pageScrollY(page)).toBe(partway);
    const header = await box(part(page, 'panel').locator('[part~="header"]'));
    const atHeader = { x: 120, y: header.top + header.height / 2 };
    const atBody = { x: 195, y: 600 };

    for (const [where, from] of [
      ['header', atHeader],
      ['sign-in view', atBody],
    ] as const) {
      for (const dy of [UP, DOWN]) {
        await swipe(page, from, dy);
        expect(await pageScrollY(page), `${where}, finger ${dy < 0 ? 'up' : 'down'}`).toBe(partway);
      }
    }
    await screenshot(page, 'phone-scroll-lock-sign-in');

    await signInWithPassword(page, member.user.username!, member.password);
    await expect.poll(async () => (await readMessages(page)).length, POLL).toBe(HISTORY);
    const list = await box(part(page, 'messages'));
    const inList = { x: 195, y: list.top + list.height / 2 };

    // The list opens at its bottom: a swipe further down it goes nowhere, the page included.
    await expect.poll(async () => (await listPosition(page)).fromBottom, POLL).toBeLessThan(1);
    await swipe(page, inList, UP);
    expect(await pageScrollY(page), 'list at its bottom, finger up').toBe(partway);
    await swipe(page, atHeader, UP);
    expect(await pageScrollY(page), 'header, finger up').toBe(partway);

    // Swipes do reach the list: down it scrolls back towards the top, to the top, and no further.
    await swipe(page, inList, DOWN);
    expect((await listPosition(page)).fromBottom).toBeGreaterThan(100);
    expect(await pageScrollY(page)).toBe(partway);
    await part(page, 'messages').evaluate((el) => (el.scrollTop = 0));
    await part(page, 'messages').locator('.edge', { hasText: 'beginning' }).waitFor();
    await swipe(page, inList, DOWN);
    expect((await listPosition(page)).top).toBe(0);
    expect(await pageScrollY(page), 'list at its top, finger down').toBe(partway);
    await screenshot(page, 'phone-scroll-lock-list-top');

    // Closed: the page is where the visitor left it, and scrolls under a finger again.
    await part(page, 'close').tap();
    await part(page, 'panel').waitFor({ state: 'detached' });
    expect(await pageScrollY(page)).toBe(partway);
    await swipe(page, { x: 150, y: 600 }, UP);
    expect(await pageScrollY(page)).toBeGreaterThan(partway);
    await screenshot(page, 'phone-scroll-lock-closed');
  });
});
