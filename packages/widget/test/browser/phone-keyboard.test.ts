/**
 * The composer stays on the screen when the visible part of the page shrinks, as it does when the on-screen
 * keyboard opens: the phone panel follows `window.visualViewport` (its size and its offset in the layout
 * viewport) while the layout viewport, which `position: fixed` alone would follow, keeps its size.
 *
 * How the visual viewport is really shrunk in headless Chromium: there is no on-screen keyboard, and
 * `Emulation.setDeviceMetricsOverride` resizes the layout viewport with the visual one (innerHeight follows),
 * `Emulation.setVisibleSize` changes nothing and `Input.synthesizePinchGesture` does not zoom. What does is a
 * pinch-zoom's result, `Emulation.setPageScaleFactor`: at scale 2 the visual viewport is half the layout
 * viewport's height (and width), `visualViewport` fires `resize` and, when it pans, `scroll`, exactly the
 * signals a keyboard gives. No getter is overridden: the page's own fixed promo bar is shown off-screen.
 */
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { recordViolations, strictPolicy } from './helpers/csp.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { participant } from './helpers/participant.js';
import {
  box,
  PHONE,
  PHONE_VIEWPORT,
  swipe,
  viewports,
  zoomVisualViewport,
  type Box,
} from './helpers/phone.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { part, readMessages, signInWithPassword } from './helpers/widget.js';

/** `inner` lies within `outer` (to a hundredth of a pixel: the sheet rounds to that). */
function expectInside(inner: Box, outer: Box, what: string): void {
  const slack = 0.01;
  expect(inner.top, `${what}: top`).toBeGreaterThanOrEqual(outer.top - slack);
  expect(inner.left, `${what}: left`).toBeGreaterThanOrEqual(outer.left - slack);
  expect(inner.bottom, `${what}: bottom`).toBeLessThanOrEqual(outer.bottom + slack);
  expect(inner.right, `${what}: right`).toBeLessThanOrEqual(outer.right + slack);
}

describeBrowser('widget: the phone panel follows the visual viewport (on-screen keyboard)', () => {
  const env = useChatEnvironment({ label: 'phone_keyboard' });
  const visitors = useVisitors();

  it('keeps the panel and its composer inside the visible part of the page as it shrinks and moves', async () => {
    const [node] = env.nodes;
    const { room, owner, member } = await roomWithMember(node!, {
      title: 'Bookings',
      owner: 'Marco Silva',
      member: 'Lena Fischer',
    });
    const marco = await participant(node!.url, owner, room.id);
    await marco.send('Morning Lena! Which week would you like the cabin?');
    env.host.serve('/cabins.html', {
      body: embedPage({
        chat: node!.url,
        data: { room: room.id },
        title: 'Seaside Cabins',
        viewport: PHONE_VIEWPORT,
        main: `<p>Twelve cabins on the dunes, open all year.</p>
<div id="promo" style="position: fixed; left: 0; right: 0; bottom: 0; padding: 10px; background: #ffe8a3">
Book three nights, get the fourth free</div>`,
      }),
    });

    const page = await visitors.page(PHONE);
    await page.goto(env.host.url('/cabins.html'));
    await part(page, 'launcher').tap();
    await signInWithPassword(page, member.user.username!, member.password);
    await expect.poll(async () => (await readMessages(page)).length, POLL).toBe(1);
    const panel = part(page, 'panel');
    const composer = part(page, 'input');
    await composer.tap();
    const full = await viewports(page);
    expect(full.visual.height).toBe(full.layout.height);
    expectInside(await box(composer), full.visual, 'composer, nothing zoomed');

    // The visible part of the page shrinks to half the screen's height, at the top of the layout viewport.
    await zoomVisualViewport(page, 2);
    await expect.poll(async () => (await viewports(page)).visual.scale, POLL).toBe(2);
    const shrunk = await viewports(page);
    expect(shrunk.visual.height).toBeLessThan(shrunk.layout.height);
    expect(shrunk.layout).toEqual(full.layout);
    // What `position: fixed` alone gives is now out of sight: the page's promo bar, at the layout bottom.
    expect((await box(page.locator('#promo'))).top).toBeGreaterThanOrEqual(shrunk.visual.bottom);
    // The panel is the visual viewport's box, and the composer is inside it.
    await expect.poll(() => box(panel), POLL).toEqual(withoutScale(shrunk.visual));
    expectInside(await box(composer), shrunk.visual, 'composer, visual viewport at the top');
    await screenshot(page, 'phone-keyboard-shrunk');

    // Closed, the visitor pans the zoomed page down and right (offsetTop and offsetLeft grow), and the page's
    // own "Chat with us" link opens the panel again: it opens where the visitor is looking.
    await part(page, 'close').tap();
    await part(page, 'panel').waitFor({ state: 'detached' });
    await swipe(page, { x: 150, y: 300 }, -250, -120);
    const moved = await viewports(page);
    expect(moved.visual.height).toBeLessThan(moved.layout.height);
    expect(moved.visual.top).toBeGreaterThan(0);
    expect(moved.visual.left).toBeGreaterThan(0);
    await page.locator('synctalk-chat').evaluate((chat) => (chat as HTMLElement & { open(): void }).open());
    await composer.waitFor();
    expect(await viewports(page)).toEqual(moved);
    await expect.poll(() => box(panel), POLL).toEqual(withoutScale(moved.visual));
    expectInside(await box(composer), moved.visual, 'composer, visual viewport moved down');
    await screenshot(page, 'phone-keyboard-shrunk-moved');

    // The keyboard goes away: the panel fills the screen again.
    await zoomVisualViewport(page, 1);
    await expect.poll(async () => (await viewports(page)).visual.height, POLL).toBe(full.layout.height);
    const restored = await viewports(page);
    await expect.poll(() => box(panel), POLL).toEqual(withoutScale(restored.visual));
    expect(await box(panel)).toEqual({ top: 0, left: 0, width: 390, height: 844, bottom: 844, right: 390 });
    await screenshot(page, 'phone-keyboard-restored');
  });

  it('follows it on a page with a strict Content-Security-Policy, without a violation', async () => {
    const [node] = env.nodes;
    const policy = strictPolicy(node!.url);
    env.host.serve('/locked.html', {
      body: embedPage({ chat: node!.url, title: 'Northwind Credit Union', viewport: PHONE_VIEWPORT }),
      headers: { 'content-security-policy': policy },
    });

    const page = await visitors.page(PHONE);
    const violations = await recordViolations(page);
    const response = await page.goto(env.host.url('/locked.html'));
    expect(response?.headers()['content-security-policy']).toBe(policy);
    await part(page, 'launcher').tap();
    await part(page, 'signIn').waitFor();
    await zoomVisualViewport(page, 2);
    await expect.poll(async () => (await viewports(page)).visual.scale, POLL).toBe(2);
    const shrunk = await viewports(page);
    expect(shrunk.visual.height).toBeLessThan(shrunk.layout.height);
    await expect.poll(() => box(part(page, 'panel')), POLL).toEqual(withoutScale(shrunk.visual));
    // The sign-in form narrows with it: no field sticks out of the panel.
    const fields = part(page, 'signIn').locator('input');
    expect(await fields.count()).toBeGreaterThan(0);
    for (const field of await fields.all()) expectInside(await box(field), shrunk.visual, 'sign-in field');
    await screenshot(page, 'phone-keyboard-strict-csp');
    expect(await violations()).toEqual([]);
    expect(visitors.pageErrors).toEqual([]);

    // The recorder is live under this policy: an inline style is refused and reported.
    await page.evaluate(() => document.body.setAttribute('style', 'outline: 1px solid red'));
    await expect
      .poll(async () => (await violations()).map((v) => v.directive), POLL)
      .toEqual(['style-src-attr']);
  });
});

function withoutScale({ top, left, width, height, bottom, right }: Box): Box {
  return { top, left, width, height, bottom, right };
}
