/**
 * On a phone with a notch and a home indicator (a page with `viewport-fit=cover`), the full-screen panel
 * keeps its controls clear of them: the header is padded by `env(safe-area-inset-top)` (its background
 * still reaching the top edge), and the body by `env(safe-area-inset-bottom)`, so the room list's toolbar
 * and the composer stay above the home indicator. The insets are emulated with the DevTools protocol's
 * `Emulation.setSafeAreaInsetsOverride` (headless Chromium has none of its own); taking them away again
 * moves the controls back to the edges, so the padding is the insets' doing.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { joinRoom, newRoom, newSite, newUser } from '../../../server/test/helpers/factories.js';
import { screenshot } from './helpers/artifacts.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { box, PHONE, PHONE_VIEWPORT, setSafeAreaInsets } from './helpers/phone.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { part, submitLogin } from './helpers/widget.js';

/** An iPhone's portrait insets: the notch (status bar) above, the home indicator below. */
const INSETS = { top: 47, bottom: 34, left: 0, right: 0 };
const NONE = { top: 0, bottom: 0, left: 0, right: 0 };

/** What `env(safe-area-inset-top)` and `-bottom` compute to on the host page itself. */
function pageInsets(page: Page): Promise<[string, string]> {
  return page.evaluate(() => {
    const probe = document.createElement('div');
    probe.style.padding = 'env(safe-area-inset-top) 0 env(safe-area-inset-bottom)';
    document.body.append(probe);
    const { paddingTop, paddingBottom } = getComputedStyle(probe);
    probe.remove();
    return [paddingTop, paddingBottom];
  });
}

function headerPaddingTop(page: Page): Promise<string> {
  return part(page, 'panel')
    .locator('[part~="header"]')
    .evaluate((el) => getComputedStyle(el).paddingTop);
}

describeBrowser('widget: safe-area insets on a phone', () => {
  const env = useChatEnvironment({ label: 'phone_safe_area' });
  const visitors = useVisitors();

  it('keeps the header below the notch and the toolbar and composer above the home indicator', async () => {
    const [node] = env.nodes;
    const { site } = await newSite(node!, { name: 'Harbour Ferries', origins: [env.host.origin] });
    const crew = await newUser(node!, { site, displayName: 'Ferry Crew' });
    const aiko = await newUser(node!, { site, username: 'aiko_tanaka', displayName: 'Aiko Tanaka' });
    const room = await newRoom(node!, crew, { title: 'Timetable questions' });
    await joinRoom(node!, aiko, room);
    env.host.serve('/ferries.html', {
      body: embedPage({
        chat: node!.url,
        data: { site: site.publicId },
        title: 'Harbour Ferries',
        viewport: PHONE_VIEWPORT,
      }),
    });

    const page = await visitors.page(PHONE);
    await setSafeAreaInsets(page, INSETS);
    await page.goto(env.host.url('/ferries.html'));
    // The emulated insets do reach the page.
    expect(await pageInsets(page)).toEqual(['47px', '34px']);

    await part(page, 'launcher').tap();
    await submitLogin(page, aiko.user.username!, aiko.password);
    await part(page, 'roomList').waitFor();
    const header = part(page, 'panel').locator('[part~="header"]');
    expect(await box(part(page, 'panel'))).toMatchObject({ top: 0, bottom: 844 });
    expect((await box(header)).top).toBe(0);
    expect(await headerPaddingTop(page)).toBe('47px');
    for (const control of ['[part~="room-title"]', '[part~="sign-out"]', '[part~="close"]']) {
      expect((await box(header.locator(control))).top, control).toBeGreaterThanOrEqual(INSETS.top);
    }
    const joinCode = part(page, 'panel').locator('input[name="code"]');
    expect((await box(joinCode)).bottom).toBeLessThanOrEqual(844 - INSETS.bottom);
    await screenshot(page, 'phone-safe-area-room-list');

    await part(page, 'roomList').locator('[part~="room-item"]', { hasText: 'Timetable questions' }).tap();
    const composer = part(page, 'input');
    await composer.waitFor();
    const withInsets = await box(composer);
    expect(withInsets.bottom).toBeLessThanOrEqual(844 - INSETS.bottom);
    expect((await box(part(page, 'panel').locator('[part~="send"]'))).bottom).toBeLessThanOrEqual(
      844 - INSETS.bottom,
    );
    await screenshot(page, 'phone-safe-area-conversation');

    // Without insets the same controls sit at the screen's edges: the padding came from them.
    await setSafeAreaInsets(page, NONE);
    await expect.poll(() => headerPaddingTop(page), POLL).toBe('8px');
    await expect.poll(async () => (await box(composer)).bottom, POLL).toBe(withInsets.bottom + INSETS.bottom);
    await screenshot(page, 'phone-safe-area-none');
  });
});
