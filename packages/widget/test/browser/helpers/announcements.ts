/**
 * What a screen reader would read out of the widget's message log, by the ARIA rule it follows: a node
 * added inside a live region that already exists is announced when its nearest `aria-live` (itself or an
 * ancestor) is not `off`; with `aria-relevant="additions"`, text changes are not. A MutationObserver on the
 * widget's shadow root records the additions under `role="log"` and keeps the text of the announced ones.
 *
 * ```ts
 * const announced = await recordAnnouncements(page);
 * expect(await announced()).toEqual([]);
 * ```
 */
import type { Page } from 'playwright-core';

export async function recordAnnouncements(page: Page): Promise<() => Promise<string[]>> {
  await page.waitForFunction(() => document.querySelector('synctalk-chat')?.shadowRoot);
  await page.evaluate(() => {
    const root = document.querySelector('synctalk-chat')!.shadowRoot!;
    const spoken: string[] = [];
    (window as unknown as { __announced: string[] }).__announced = spoken;
    new MutationObserver((records) => {
      for (const record of records) {
        const target = record.target instanceof Element ? record.target : record.target.parentElement;
        if (!target?.closest('[role="log"]')) continue;
        for (const node of record.addedNodes) {
          const element = node instanceof Element ? node : node.parentElement;
          const live = element?.closest('[aria-live]')?.getAttribute('aria-live');
          const text = node.textContent?.replace(/\s+/g, ' ').trim() ?? '';
          if (live !== 'off' && text) spoken.push(text);
        }
      }
    }).observe(root, { childList: true, subtree: true });
  });
  return () => page.evaluate(() => [...(window as unknown as { __announced: string[] }).__announced]);
}
