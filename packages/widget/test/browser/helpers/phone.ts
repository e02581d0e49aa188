/**
 * A visitor on a phone: a 390×844 touch screen at 3× density (an iPhone's size) on a host page with the
 * viewport meta phones need, and what a phone does that a desktop browser does not, driven through the
 * DevTools protocol: one-finger swipes, a visual viewport smaller than the layout viewport, safe-area insets.
 *
 * ```ts
 * env.host.serve('/m.html', { body: embedPage({ chat: node.url, viewport: PHONE_VIEWPORT }) });
 * const page = await visitors.page(PHONE);
 * await swipe(page, { x: 195, y: 30 }, -200);
 * ```
 */
import type { BrowserContextOptions, CDPSession, Locator, Page } from 'playwright-core';

export const PHONE = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
  deviceScaleFactor: 3,
} satisfies BrowserContextOptions;

/** The viewport meta of a page made for phones, reaching under the notch and the home indicator. */
export const PHONE_VIEWPORT = 'width=device-width, initial-scale=1, viewport-fit=cover';

export interface Box {
  top: number;
  left: number;
  width: number;
  height: number;
  bottom: number;
  right: number;
}

/** An element's box in CSS pixels of the layout viewport (`getBoundingClientRect`), once no animation moves it. */
export function box(locator: Locator): Promise<Box> {
  return locator.evaluate(async (el) => {
    await Promise.all(
      [document, ...Array.from(document.querySelectorAll('synctalk-chat'), (h) => h.shadowRoot!)]
        .flatMap((root) => root.getAnimations())
        .map((a) => a.finished.catch(() => null)),
    );
    const r = el.getBoundingClientRect();
    return { top: r.top, left: r.left, width: r.width, height: r.height, bottom: r.bottom, right: r.right };
  });
}

export interface Viewports {
  /** The visual viewport (what is on the screen) in CSS pixels of the layout viewport. */
  visual: Box & { scale: number };
  /** The layout viewport (`innerWidth` × `innerHeight`), which `position: fixed` follows. */
  layout: { width: number; height: number };
}

export function viewports(page: Page): Promise<Viewports> {
  return page.evaluate(() => {
    const vv = window.visualViewport!;
    return {
      visual: {
        top: vv.offsetTop,
        left: vv.offsetLeft,
        width: vv.width,
        height: vv.height,
        bottom: vv.offsetTop + vv.height,
        right: vv.offsetLeft + vv.width,
        scale: vv.scale,
      },
      layout: { width: innerWidth, height: innerHeight },
    };
  });
}

const sessions = new WeakMap<Page, Promise<CDPSession>>();

/** The page's DevTools session (one per page). */
export function devtools(page: Page): Promise<CDPSession> {
  let session = sessions.get(page);
  if (!session) {
    session = page.context().newCDPSession(page);
    sessions.set(page, session);
  }
  return session;
}

/**
 * A one-finger swipe from `from` (a point of the screen), moving `dy` CSS pixels down and `dx` right
 * (negative `dy`: the finger goes up, as to read further down). The finger rests at the end before lifting,
 * so nothing flings on afterwards. Resolves once the page has seen the touch end and painted twice since,
 * so any scroll it caused has been applied.
 */
export async function swipe(page: Page, from: { x: number; y: number }, dy: number, dx = 0): Promise<void> {
  const cdp = await devtools(page);
  const ended = page.evaluate(
    () =>
      new Promise<void>((resolve) =>
        window.addEventListener('touchend', () => resolve(), { once: true, capture: true }),
      ),
  );
  const start = Date.now() / 1000;
  const steps = 12;
  await cdp.send('Input.dispatchTouchEvent', {
    type: 'touchStart',
    touchPoints: [from],
    timestamp: start,
  });
  for (let i = 1; i <= steps; i += 1) {
    await cdp.send('Input.dispatchTouchEvent', {
      type: 'touchMove',
      touchPoints: [{ x: from.x + (dx * i) / steps, y: from.y + (dy * i) / steps }],
      timestamp: start + i * 0.016,
    });
  }
  // Held still for a moment (by the events' clock): the gesture ends with no velocity, so no fling.
  const rest = start + steps * 0.016 + 0.3;
  await cdp.send('Input.dispatchTouchEvent', {
    type: 'touchMove',
    touchPoints: [{ x: from.x + dx, y: from.y + dy }],
    timestamp: rest,
  });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [], timestamp: rest });
  await ended;
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
  );
}

/**
 * Zooms the visual viewport in to `scale` (1 is no zoom), as a pinch does: the visual viewport becomes
 * `1/scale` of the layout viewport, which keeps its size. The widget sees the same change of
 * `window.visualViewport` as when the on-screen keyboard covers the bottom of the screen.
 */
export async function zoomVisualViewport(page: Page, scale: number): Promise<void> {
  const cdp = await devtools(page);
  await cdp.send('Emulation.setPageScaleFactor', { pageScaleFactor: scale });
}

/** Emulates the screen's safe-area insets in CSS pixels (a notch at the top, the home indicator below). */
export async function setSafeAreaInsets(
  page: Page,
  insets: { top: number; bottom: number; left: number; right: number },
): Promise<void> {
  const cdp = await devtools(page);
  await cdp.send('Emulation.setSafeAreaInsetsOverride', { insets });
}
