/**
 * `prefers-reduced-motion: reduce` turns the widget's motion off: the panel rises into place and the launcher
 * answers a press for everyone else, and for a visitor who asked for less motion nothing animates or
 * transitions (the panel simply appears).
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { describeBrowser } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { openPanel, part } from './helpers/widget.js';

interface Motion {
  /** The animations that started in the widget while the panel opened. */
  started: string[];
  panelAnimation: string;
  launcherTransition: string;
}

/** Opens the panel, recording the animations that start in the widget's shadow root meanwhile. */
async function openAndWatch(page: Page): Promise<Motion> {
  await page.locator('synctalk-chat').waitFor({ state: 'attached' });
  await page.evaluate(() => {
    const started: string[] = [];
    (window as unknown as { __started: string[] }).__started = started;
    document
      .querySelector('synctalk-chat')!
      .shadowRoot!.addEventListener('animationstart', (e) =>
        started.push((e as AnimationEvent).animationName),
      );
  });
  await openPanel(page); // waits until every animation is over
  const started = await page.evaluate(() => (window as unknown as { __started: string[] }).__started);
  const panelAnimation = await part(page, 'panel').evaluate((el) => getComputedStyle(el).animationName);
  const launcherTransition = await part(page, 'launcher').evaluate(
    (el) => getComputedStyle(el).transitionDuration,
  );
  return { started, panelAnimation, launcherTransition };
}

describeBrowser('widget: reduced motion', () => {
  const env = useChatEnvironment({ label: 'reduced_motion', nodes: 1 });
  const visitors = useVisitors();

  it('animates the panel by default and not at all when the visitor prefers reduced motion', async () => {
    const [node] = env.nodes;
    env.host.serve('/calm.html', { body: embedPage({ chat: node!.url, title: 'Quiet Reading Room' }) });

    const moving = await visitors.page({ reducedMotion: 'no-preference' });
    await moving.goto(env.host.url('/calm.html'));
    const normal = await openAndWatch(moving);
    expect(normal.started).toEqual(['synctalk-rise']);
    expect(normal.panelAnimation).toBe('synctalk-rise');
    expect(normal.launcherTransition).not.toBe('0s');

    const calm = await visitors.page({ reducedMotion: 'reduce' });
    await calm.goto(env.host.url('/calm.html'));
    expect(await calm.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches)).toBe(true);
    expect(await openAndWatch(calm)).toEqual({
      started: [],
      panelAnimation: 'none',
      launcherTransition: '0s',
    });
  });
});
