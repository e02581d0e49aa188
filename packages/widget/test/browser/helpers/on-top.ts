/**
 * Whether a visitor can really use the floating widget on a host page: what the pointer hits at the launcher
 * and across the open panel (the widget, or a host element drawn over it), and where and how big the widget
 * is on screen (transforms included), whatever the page did to its own layout.
 *
 * ```ts
 * await openOnTop(page); // the launcher is hit and clicked, the panel opens and is hit everywhere
 * await expectPinned(page);
 * ```
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { part, settled } from './widget.js';

export type Point = readonly [x: number, y: number];

/** What `document.elementFromPoint` finds at one point. */
export interface Hit {
  point: Point;
  /** `tag#id.class` of the element hit, or `nothing`. */
  what: string;
  /** The widget's host element was hit, and inside its shadow root the point is on `launcher` or `panel`. */
  widget: boolean;
  /** The page's elements under the widget there, top first, by tag name (`main`, `body`, `html`). */
  beneath: string[];
}

/** The centre of a box and four points `inset` pixels in from its corners. */
export function pointsOf(box: { x: number; y: number; width: number; height: number }, inset = 12): Point[] {
  const { x, y, width: w, height: h } = box;
  return [
    [x + w / 2, y + h / 2],
    [x + inset, y + inset],
    [x + w - inset, y + inset],
    [x + inset, y + h - inset],
    [x + w - inset, y + h - inset],
  ];
}

/** What a pointer would hit at each point of the viewport. */
export function hitsAt(page: Page, points: readonly Point[]): Promise<Hit[]> {
  return page.evaluate((pts) => {
    const describe = (el: Element | null) =>
      el
        ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${[...el.classList].map((c) => `.${c}`).join('')}`
        : 'nothing';
    return pts.map(([x, y]) => {
      const [el = null, ...under] = document.elementsFromPoint(x, y);
      const inner = el?.tagName === 'SYNCTALK-CHAT' ? el.shadowRoot?.elementFromPoint(x, y) : null;
      const onWidget = inner?.closest('[part~="launcher"], [part~="panel"]') != null;
      const beneath = under.map((e) => e.tagName.toLowerCase());
      return { point: [x, y] as const, what: describe(el), widget: onWidget, beneath };
    });
  }, points);
}

async function boxOf(page: Page, name: 'launcher' | 'panel') {
  await settled(page);
  const box = await part(page, name).boundingBox();
  if (!box) throw new Error(`the ${name} has no box (not rendered)`);
  return box;
}

/** Nothing of the host covers any of `points`: each hits the widget. */
async function expectWidgetAt(page: Page, points: readonly Point[], what: string): Promise<void> {
  const hits = await hitsAt(page, points);
  expect(
    hits.filter((h) => !h.widget).map((h) => `${h.what} at ${h.point.map(Math.round).join(',')}`),
    `host elements over the ${what}`,
  ).toEqual([]);
}

/** The launcher is visible and nothing of the host covers its centre. */
export async function expectLauncherOnTop(page: Page): Promise<void> {
  const launcher = part(page, 'launcher');
  await launcher.waitFor();
  expect(await launcher.isVisible()).toBe(true);
  const box = await boxOf(page, 'launcher');
  await expectWidgetAt(page, [pointsOf(box)[0]!], 'launcher');
}

/**
 * The open panel is above host content: its centre, its corners and its header are the widget's. With
 * `over` (a tag name, e.g. `main` on a page whose content fills the viewport), the panel is also the widget's
 * at four points a quarter of its width in from its corners, and that page element is really under it
 * there, so "on top" meant something.
 */
export async function expectPanelOnTop(page: Page, options: { over?: string } = {}): Promise<void> {
  const box = await boxOf(page, 'panel');
  const header = await part(page, 'panel').locator('[part~="header"]').boundingBox();
  const points = [...pointsOf(box)];
  if (header) points.push([header.x + header.width / 2, header.y + header.height / 2]);
  const { over } = options;
  const inner = over ? pointsOf(box, Math.min(box.width, box.height) / 4).slice(1) : [];
  await expectWidgetAt(page, [...points, ...inner], 'panel');
  if (over) {
    const hits = await hitsAt(page, inner);
    expect(
      hits.filter((h) => !h.beneath.includes(over)).map((h) => h.point.map(Math.round).join(',')),
      `points of the panel with no <${over}> under them`,
    ).toEqual([]);
  }
}

/**
 * Checks the launcher is on top, clicks it for real (Playwright clicks only what the pointer would hit) and
 * checks the panel that opens is on top.
 */
export async function openOnTop(page: Page, options: { over?: string } = {}): Promise<void> {
  await expectLauncherOnTop(page);
  await part(page, 'launcher').click();
  await part(page, 'panel').waitFor();
  await expectPanelOnTop(page, options);
}

/**
 * The floating widget at its real size (a 58 px launcher, a 380 px panel on a wide viewport), inside the
 * viewport and pinned to its bottom corner (`position`) by the default 20 px offsets.
 */
export async function expectPinned(
  page: Page,
  position: 'bottom-right' | 'bottom-left' = 'bottom-right',
): Promise<void> {
  const viewport = await page.evaluate(() => ({ width: innerWidth, height: innerHeight }));
  const side = (box: { x: number; width: number }) =>
    position === 'bottom-right' ? viewport.width - (box.x + box.width) : box.x;
  const launcher = await boxOf(page, 'launcher');
  expect(launcher.width).toBeCloseTo(58, 0);
  expect(launcher.height).toBeCloseTo(58, 0);
  expect(side(launcher)).toBeCloseTo(20, 0);
  expect(launcher.y + launcher.height).toBeCloseTo(viewport.height - 20, 0);
  if ((await part(page, 'panel').count()) === 0) return;
  const panel = await boxOf(page, 'panel');
  expect(panel.width).toBeCloseTo(Math.min(380, viewport.width - 40), 0);
  expect(side(panel)).toBeCloseTo(20, 0);
  expect(panel.x).toBeGreaterThanOrEqual(0);
  expect(panel.y).toBeGreaterThanOrEqual(0);
  expect(panel.y + panel.height).toBeLessThanOrEqual(launcher.y);
}
