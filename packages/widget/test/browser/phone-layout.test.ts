/**
 * On a phone (390×844, touch) the open panel takes the whole screen: its box is the viewport's, in the
 * sign-in view and in a conversation, the launcher is hidden while it is open, the close button is on the
 * screen and is what a finger on it touches, and closing brings the launcher back.
 */
import type { Locator, Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { participant } from './helpers/participant.js';
import { box, PHONE, PHONE_VIEWPORT, viewports } from './helpers/phone.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { part, readMessages, signInWithPassword } from './helpers/widget.js';

/** Whether a finger at the middle of `locator`'s element lands on it (nothing of the page covers it). */
function hitAtCentre(locator: Locator): Promise<boolean> {
  return locator.evaluate(async (el) => {
    await Promise.all(
      [document, ...Array.from(document.querySelectorAll('synctalk-chat'), (h) => h.shadowRoot!)]
        .flatMap((root) => root.getAnimations())
        .map((a) => a.finished.catch(() => null)),
    );
    const r = el.getBoundingClientRect();
    const root = el.getRootNode() as Document | ShadowRoot;
    const hit = root.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return hit !== null && (hit === el || el.contains(hit));
  });
}

async function expectFullScreen(page: Page): Promise<void> {
  const { layout, visual } = await viewports(page);
  expect(visual.scale).toBe(1);
  expect(await box(part(page, 'panel'))).toEqual({
    top: 0,
    left: 0,
    width: layout.width,
    height: layout.height,
    bottom: layout.height,
    right: layout.width,
  });
}

describeBrowser('widget: full-screen panel on a phone', () => {
  const env = useChatEnvironment({ label: 'phone_layout' });
  const visitors = useVisitors();

  it('fills the screen while open, with close in reach, and gives the launcher back on close', async () => {
    const [node] = env.nodes;
    const { room, owner, member } = await roomWithMember(node!, {
      title: 'Trail shoes',
      owner: 'Nina Berg',
      member: 'Tomas Reyes',
    });
    const nina = await participant(node!.url, owner, room.id);
    await nina.send('Hi Tomas, the size 43 is back in stock.');
    env.host.serve('/shoes.html', {
      body: embedPage({
        chat: node!.url,
        data: { room: room.id },
        title: 'Ridgeline Running',
        viewport: PHONE_VIEWPORT,
      }),
    });

    const page = await visitors.page(PHONE);
    await page.goto(env.host.url('/shoes.html'));
    const launcher = part(page, 'launcher');
    await launcher.waitFor();
    expect(await page.evaluate(() => [innerWidth, innerHeight])).toEqual([390, 844]);
    const bubble = await box(launcher);
    expect(bubble.bottom).toBeLessThanOrEqual(844);
    expect(bubble.right).toBeLessThanOrEqual(390);
    await screenshot(page, 'phone-layout-closed');

    // A tap opens the panel over the whole screen; the launcher is hidden under it.
    await launcher.tap();
    await part(page, 'signIn').waitFor();
    await expectFullScreen(page);
    expect(await launcher.isVisible()).toBe(false);
    await screenshot(page, 'phone-layout-sign-in');

    await signInWithPassword(page, member.user.username!, member.password);
    await expect.poll(async () => (await readMessages(page)).length, POLL).toBe(1);
    await expectFullScreen(page);
    expect(await launcher.isVisible()).toBe(false);
    // The composer is on the screen too, at the bottom of the panel.
    const composer = await box(part(page, 'input'));
    expect(composer.bottom).toBeLessThanOrEqual(844);
    expect(composer.top).toBeGreaterThan(844 / 2);
    await screenshot(page, 'phone-layout-conversation');

    // Close is on the screen, a finger-sized target, and nothing covers it.
    const close = part(page, 'close');
    const closeBox = await box(close);
    expect(closeBox.top).toBeGreaterThanOrEqual(0);
    expect(closeBox.right).toBeLessThanOrEqual(390);
    expect(Math.min(closeBox.width, closeBox.height)).toBeGreaterThanOrEqual(32);
    expect(await hitAtCentre(close)).toBe(true);

    await close.tap();
    await part(page, 'panel').waitFor({ state: 'detached' });
    expect(await launcher.isVisible()).toBe(true);
    expect(await box(launcher)).toEqual(bubble);
    expect(await hitAtCentre(launcher)).toBe(true);
    await screenshot(page, 'phone-layout-closed-again');
  });
});
