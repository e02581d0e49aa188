/**
 * Chromium with a profile of its own whose cookie setting is written before it starts (`Default/Preferences`
 * in a fresh user-data-dir): third-party cookies blocked, as a visitor who chose so in the settings has them,
 * or allowed. One persistent context per launch, closed (and its profile deleted) after every test; a failed
 * test leaves a screenshot of its pages (`failed-<test>-<n>.png`), as `useVisitors` does.
 *
 * A probe tells which it is: a page of the host site framing a page of the chat's site, whose script sets a
 * `SameSite=None; Secure` cookie and reads it back (loopback is a secure context for cookies in Chromium).
 *
 * ```ts
 * const browsers = useCookieBrowsers();
 * const visitor = await browsers.launch('blocked');
 * expect(await thirdPartyCookieReadBack(visitor.page, env.host, probe)).toBe('');
 * ```
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterEach } from 'vitest';
import { screenshot } from './artifacts.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './browser.js';
import type { HostServer } from './host-server.js';

export type ThirdPartyCookies = 'blocked' | 'allowed';

/** The profile preferences behind chrome://settings/cookies ("Block third-party cookies" or "Allow"). */
const PREFERENCES: Record<ThirdPartyCookies, object> = {
  blocked: { profile: { cookie_controls_mode: 1, block_third_party_cookies: true } },
  allowed: { profile: { cookie_controls_mode: 0, block_third_party_cookies: false } },
};

export interface CookieBrowser {
  context: BrowserContext;
  /** The window the browser opened with. */
  page: Page;
  /** Messages its pages logged as errors, and uncaught page errors. */
  pageErrors: string[];
}

export function useCookieBrowsers(): { launch(cookies: ThirdPartyCookies): Promise<CookieBrowser> } {
  let launched: { context: BrowserContext; profile: string }[] = [];

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') {
      const pages = launched.flatMap((b) => b.context.pages());
      for (const [i, p] of pages.entries()) {
        await screenshot(p, `failed-${task.name}-${i + 1}`).catch(() => undefined);
      }
    }
    await Promise.allSettled(launched.map((b) => b.context.close()));
    for (const { profile } of launched) rmSync(profile, { recursive: true, force: true });
    launched = [];
  });

  return {
    async launch(cookies) {
      const profile = mkdtempSync(join(tmpdir(), 'synctalk-cookies-'));
      mkdirSync(join(profile, 'Default'));
      writeFileSync(join(profile, 'Default', 'Preferences'), JSON.stringify(PREFERENCES[cookies]));
      const context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM_PATH,
        args: CHROMIUM_ARGS,
        timeout: 30_000,
        viewport: { width: 1000, height: 760 },
        locale: 'en-US',
        colorScheme: 'light',
      });
      launched.push({ context, profile });
      context.setDefaultTimeout(15_000);
      const page = context.pages()[0] ?? (await context.newPage());
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
      });
      return { context, page, pageErrors };
    },
  };
}

/**
 * Opens a page of `host` framing a page of `thirdParty` (another site), sets a cookie from inside that frame
 * and returns what the frame reads back: `''` where third-party cookies are blocked.
 */
export async function thirdPartyCookieReadBack(
  page: Page,
  host: HostServer,
  thirdParty: HostServer,
): Promise<string> {
  thirdParty.serve('/cookie-probe.html', { body: '<!doctype html><title>Cookie probe</title>' });
  host.serve('/cookie-check.html', {
    body: `<!doctype html><title>Cookie check</title><iframe src="${thirdParty.url('/cookie-probe.html')}" title="Cookie probe"></iframe>`,
  });
  await page.goto(host.url('/cookie-check.html'));
  const frame = page.frame({ url: thirdParty.url('/cookie-probe.html') });
  if (!frame) throw new Error(`no frame of ${thirdParty.origin} on ${host.url('/cookie-check.html')}`);
  await frame.waitForLoadState();
  return frame.evaluate(() => {
    document.cookie = 'probe=1; SameSite=None; Secure';
    return document.cookie;
  });
}
