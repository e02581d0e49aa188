/**
 * Drives the widget the way a visitor does, through the selectors of its contract (Playwright's CSS
 * pierces the open shadow root).
 */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestUser } from '../../../../server/test/helpers/factories.js';

export const parts = {
  launcher: 'button[part~="launcher"]',
  badge: '[part~="badge"]',
  panel: '[part~="panel"]',
  close: 'button[part~="close"]',
  banner: '[part~="banner"]',
  signIn: '[part~="sign-in"]',
  error: '[part~="error"]',
  room: '[part~="room"]',
  roomList: '[part~="room-list"]',
  roomTitle: '[part~="room-title"]',
  messages: '[part~="messages"]',
  message: '[part~="message"]',
  input: 'textarea[part~="input"]',
} as const;

/** What a visitor sees of one message. */
export interface SeenMessage {
  text: string;
  /**
   * The name a reader attributes the message to: its own author line, or the line heading its run of
   * consecutive messages by others (the widget names the author once per run). Null for one's own messages
   * and for a message of others with no author line above it in its run.
   */
  author: string | null;
  own: boolean;
  status: string | null;
}

export function part(page: Page, name: keyof typeof parts): Locator {
  return page.locator(parts[name]);
}

/**
 * Waits until the widget's CSS animations and transitions are over (the panel rises into place when it
 * opens): boxes measured before then are off by the animation's offset. The widget's animations are its
 * shadow root's (`document.getAnimations()` does not list them in Chromium).
 */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(() =>
    Promise.all(
      [document, ...Array.from(document.querySelectorAll('synctalk-chat'), (h) => h.shadowRoot!)]
        .flatMap((root) => root.getAnimations())
        .map((a) => a.finished.catch(() => null)),
    ),
  );
}

/** Waits for the launcher, clicks it, and waits for the panel to be open and in place. */
export async function openPanel(page: Page): Promise<void> {
  await part(page, 'launcher').click();
  await part(page, 'panel').waitFor();
  await settled(page);
}

export async function closePanel(page: Page): Promise<void> {
  await part(page, 'close').click();
  await part(page, 'panel').waitFor({ state: 'detached' });
}

/** Opens `url`, opens the panel and signs `user` in with their password; resolves once the room shows. */
export async function visitSignedIn(page: Page, url: string, user: TestUser): Promise<Page> {
  await page.goto(url);
  await openPanel(page);
  await signInWithPassword(page, user.user.username!, user.password);
  return page;
}

/** Signs in with a password through the sign-in view's login form, then waits for the room. */
export async function signInWithPassword(page: Page, username: string, password: string): Promise<void> {
  await submitLogin(page, username, password);
  await part(page, 'room').waitFor();
  await part(page, 'signIn').waitFor({ state: 'detached' });
}

/** Fills and submits the login form (no waiting for the outcome). */
export async function submitLogin(page: Page, username: string, password: string): Promise<void> {
  const signIn = part(page, 'signIn');
  await signIn.locator('button[data-view="login"]').click();
  await signIn.locator('input[name="username"]').fill(username);
  await signIn.locator('input[name="password"]').fill(password);
  await signIn.locator('button[type="submit"]').click();
}

/** Fills and submits the guest form (no waiting for the outcome). */
export async function submitGuest(page: Page, displayName: string): Promise<void> {
  const signIn = part(page, 'signIn');
  await signIn.locator('button[data-view="guest"]').click();
  await signIn.locator('input[name="displayName"]').fill(displayName);
  await signIn.locator('button[type="submit"]').click();
}

/** Types `text` in the composer, presses Enter, and waits until the server acknowledged it. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  await part(page, 'input').fill(text);
  await part(page, 'input').press('Enter');
  const mine = part(page, 'message')
    .and(page.locator('[data-own="true"][data-status="sent"]'))
    .filter({ has: page.locator('[part~="text"]', { hasText: text }) });
  await mine.waitFor();
  // Sent: the composer is empty again, however fast the Enter followed the typing.
  await expect.poll(() => part(page, 'input').inputValue()).toBe('');
}

/** The messages of the open room, in display order. Does not wait (use it inside `expect.poll`). */
export async function readMessages(page: Page): Promise<SeenMessage[]> {
  const raw = await part(page, 'message').evaluateAll((elements) =>
    elements.map((el) => ({
      text: el.querySelector('[part~="text"]')?.textContent?.trim() ?? '',
      authorLine: el.querySelector('[part~="author"]')?.textContent?.trim() ?? null,
      own: el.getAttribute('data-own') === 'true',
      status: el.getAttribute('data-status'),
    })),
  );
  const seen: SeenMessage[] = [];
  for (const [i, m] of raw.entries()) {
    const previous = seen[i - 1];
    const author = m.own ? null : (m.authorLine ?? (previous && !previous.own ? previous.author : null));
    seen.push({ text: m.text, author, own: m.own, status: m.status });
  }
  return seen;
}

/**
 * The first background colour that is not transparent, from `locator`'s element up through the shadow host,
 * as `rgb(r, g, b)` whatever notation the styles use (a canvas converts it).
 */
export function effectiveBackground(locator: Locator): Promise<string> {
  return locator.evaluate((start) => {
    const ctx = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
    let el: Element | null = start;
    while (el) {
      ctx.clearRect(0, 0, 1, 1);
      ctx.fillStyle = getComputedStyle(el).backgroundColor;
      ctx.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
      if ((a ?? 0) > 0) return `rgb(${r}, ${g}, ${b})`;
      const root = el.getRootNode();
      el = el.parentElement ?? (root instanceof ShadowRoot ? root.host : null);
    }
    return 'transparent';
  });
}

/** The trimmed text of every element of one part, in document order. Does not wait. */
export function partTexts(page: Page, name: keyof typeof parts): Promise<string[]> {
  return part(page, name).evaluateAll((els) => els.map((el) => el.textContent?.trim() ?? ''));
}

/** The launcher badge's text, or null while there is no badge. Does not wait. */
export async function badgeText(page: Page): Promise<string | null> {
  return (await partTexts(page, 'badge'))[0] ?? null;
}
