/**
 * The widget's styles as constructable stylesheets (`adoptedStyleSheets`): no `<style>` text is injected and
 * no `style` attribute is written, so the widget runs under `style-src 'self'` without `unsafe-inline`.
 * The `.css` files are minified into strings at build time.
 */
import forms from './forms.css';
import launcher from './launcher.css';
import messages from './messages.css';
import motion from './motion.css';
import panel from './panel.css';
import roomList from './room-list.css';
import theme from './theme.css';

let shared: CSSStyleSheet[] | undefined;

/** The stylesheets every instance adopts (made once per page). */
export function widgetSheets(): CSSStyleSheet[] {
  shared ??= [theme, launcher, panel, forms, roomList, messages, motion].map((text) => {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(text);
    return sheet;
  });
  return shared;
}

/** One instance's own settings (its z-index) as a sheet; `zIndex` is a validated integer. */
export function instanceSheet(zIndex: number): CSSStyleSheet {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(`:host { --z: ${Math.trunc(zIndex)}; }`);
  return sheet;
}
