/**
 * The phone panel stays on the part of the page the visitor sees. `position: fixed` places it on the layout
 * viewport, which the on-screen keyboard does not shrink on iOS (nor on Android with
 * `interactive-widget=resizes-visual`, nor a pinch-zoom anywhere): only `window.visualViewport` does, and
 * without following it the composer would sit under the keyboard.
 *
 * While the floating panel is open on a phone-sized layout, the visual viewport's rectangle is written into
 * the instance's own constructable stylesheet as custom properties that panel.css places the phone panel
 * with. No `style` attribute and no `<style>` text: it holds under `style-src 'self'`.
 */

/** The phone layout's query (panel.css has the same). */
export const PHONE_MEDIA = '(max-width: 480px)';

/** What is read of `window.visualViewport` (the DOM's own type; a plain object in the unit tests). */
export interface VisualViewportLike extends EventTarget {
  readonly offsetLeft: number;
  readonly offsetTop: number;
  readonly width: number;
  readonly height: number;
}

export interface ViewportWindow {
  readonly visualViewport: VisualViewportLike | null;
  matchMedia(query: string): MediaQueryList;
}

/** A length in CSS pixels that cannot carry anything but a number into the sheet. */
function px(value: number): string {
  return `${Number.isFinite(value) ? Math.round(value * 100) / 100 : 0}px`;
}

/** The sheet's text for one visual viewport: the custom properties `.floating` hands to the panel. */
export function viewportRule(vv: VisualViewportLike): string {
  return (
    `.floating{--vv-left:${px(vv.offsetLeft)};--vv-top:${px(vv.offsetTop)};` +
    `--vv-width:${px(vv.width)};--vv-height:${px(vv.height)}}`
  );
}

/**
 * Follows the visual viewport into `sheet` until the returned function is called (on close and on
 * teardown), which empties the sheet and removes every listener. Listens to the visual viewport only while
 * the layout is phone-sized, and to the size query meanwhile (a phone turned sideways is no longer one).
 */
export function followVisualViewport(
  sheet: Pick<CSSStyleSheet, 'replaceSync'>,
  win: ViewportWindow = window,
): () => void {
  const vv = win.visualViewport;
  if (!vv) return () => undefined;
  const phone = win.matchMedia(PHONE_MEDIA);
  const update = () => sheet.replaceSync(viewportRule(vv));
  let listening = false;
  const listen = (on: boolean) => {
    if (on === listening) return;
    listening = on;
    const method = on ? 'addEventListener' : 'removeEventListener';
    vv[method]('resize', update);
    vv[method]('scroll', update);
    if (on) update();
    else sheet.replaceSync('');
  };
  const onMedia = () => listen(phone.matches);
  phone.addEventListener('change', onMedia);
  onMedia();
  return () => {
    phone.removeEventListener('change', onMedia);
    listen(false);
  };
}
