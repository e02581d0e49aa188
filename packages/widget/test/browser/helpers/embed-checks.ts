/**
 * What every host page of the hostile-host matrix must give a visitor: a launcher they can see and click, a
 * panel drawn above the page's own content, and a conversation that works both ways.
 *
 * ```ts
 * const head = serveSiteStyles(env.host); // the page's own content fills the viewport, under the widget
 * await openPanelOnTop(page);
 * await exchange(page, { chat: node.url, other: owner, roomId: room.id, mine: 'Hi', theirs: 'Hello!' });
 * ```
 */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestUser } from '../../../../server/test/helpers/factories.js';
import type { HostServer } from './host-server.js';
import { participant } from './participant.js';
import { POLL } from './suite.js';
import { part, readMessages, sendMessage } from './widget.js';

/**
 * A site's own stylesheet (same-origin, so `style-src 'self'` allows it): a sticky header above its
 * content, and a `main` that fills the viewport, so the widget's corner is over the page's content.
 */
export const SITE_CSS = `
html { background: #f4efe6; }
body { margin: 0; font: 17px/1.6 Georgia, 'Times New Roman', serif; color: #2b2b2b; }
header { position: sticky; top: 0; z-index: 10; padding: 14px 32px; background: #183a5a; color: #fff; }
header h1 { margin: 0; font-size: 24px; }
main { min-height: 100vh; padding: 24px 32px; background: #fbf8f2; }
`;

/** Serves SITE_CSS at `/site.css` on `host`; returns the `<link>` for the page's `<head>`. */
export function serveSiteStyles(host: HostServer): string {
  host.serve('/site.css', { body: SITE_CSS, type: 'text/css; charset=utf-8' });
  return '<link rel="stylesheet" href="/site.css">';
}

/** One probe point of a widget part: whether the widget is what is drawn there, and what of the page lies under it. */
interface Probe {
  /** `x,y` in the viewport. */
  at: string;
  /** The topmost element there (the widget's host element when the widget is on top). */
  top: string;
  /** Whether the topmost element inside the widget there belongs to the part probed. */
  part: boolean;
  /** The page's elements under the widget there, top first (`main`, `body`, `html`, …). */
  beneath: string[];
}

/** Probes the middle of `locator`'s box, and with `spread` four points halfway to its corners too. */
function probe(locator: Locator, spread: boolean): Promise<Probe[]> {
  return locator.evaluate(async (el, spread) => {
    // Measured once the panel has risen into place.
    await Promise.all(
      [document, ...Array.from(document.querySelectorAll('synctalk-chat'), (h) => h.shadowRoot!)]
        .flatMap((root) => root.getAnimations())
        .map((a) => a.finished.catch(() => null)),
    );
    const root = el.getRootNode() as ShadowRoot;
    const r = el.getBoundingClientRect();
    const fractions = spread
      ? [
          [0.5, 0.5],
          [0.25, 0.25],
          [0.75, 0.25],
          [0.25, 0.75],
          [0.75, 0.75],
        ]
      : [[0.5, 0.5]];
    const name = (e: Element) => e.tagName.toLowerCase();
    return fractions.map(([fx, fy]) => {
      const x = Math.round(r.left + r.width * fx!);
      const y = Math.round(r.top + r.height * fy!);
      const stack = document.elementsFromPoint(x, y);
      const inner = root.elementFromPoint(x, y);
      return {
        at: `${x},${y}`,
        top: stack[0] ? name(stack[0]) : 'nothing',
        part: inner !== null && el.contains(inner),
        beneath: stack.slice(1).map(name),
      };
    });
  }, spread);
}

/**
 * The launcher is visible with the widget drawn on top at its middle, and a click opens the panel, which is
 * on top of the page at its middle and around it, over the page's `over` element (default `main`: serve
 * SITE_CSS to have it under the panel).
 */
export async function openPanelOnTop(page: Page, options: { over?: string } = {}): Promise<void> {
  const launcher = part(page, 'launcher');
  await launcher.waitFor({ state: 'visible' });
  const notOnTop = (probes: Probe[]) => probes.filter((p) => p.top !== 'synctalk-chat' || !p.part);
  expect(notOnTop(await probe(launcher, false))).toEqual([]);
  // Playwright's click also refuses an element that another one would receive the click for.
  await launcher.click();
  const panel = part(page, 'panel');
  await panel.waitFor({ state: 'visible' });
  const probes = await probe(panel, true);
  expect(notOnTop(probes)).toEqual([]);
  // The page's own content is really there, under the panel (so "on top" meant something).
  expect(probes.filter((p) => !p.beneath.includes(options.over ?? 'main'))).toEqual([]);
}

/**
 * `mine` sent from the page's open room, then `theirs` from `other` (a socket on `chat`): both show, in
 * that order, as the newest messages.
 */
export async function exchange(
  page: Page,
  options: { chat: string; other: TestUser; roomId: string; mine: string; theirs: string },
): Promise<void> {
  await sendMessage(page, options.mine);
  const other = await participant(options.chat, options.other, options.roomId);
  try {
    await other.send(options.theirs);
    await expect
      .poll(async () => (await readMessages(page)).slice(-2).map((m) => [m.text, m.own]), POLL)
      .toEqual([
        [options.mine, true],
        [options.theirs, false],
      ]);
  } finally {
    other.close();
  }
}
