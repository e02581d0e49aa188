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
  panelAnimation: string;
  running: number;
  launcherTransition: string;
}

async function motionOf(page: Page): Promise<Motion> {
  const panelAnimation = await part(page, 'panel').evaluate((el) => getComputedStyle(el).animationName);
  const running = await part(page, 'panel').evaluate((el) => el.getAnimations().length);
  const launcherTransition = await part(page, 'launcher').evaluate(
    (el) => getComputedStyle(el).transitionDuration,
  );
  return { panelAnimation, running, launcherTransition };
}

describeBrowser('widget: reduced motion', () => {
  const env = useChatEnvironment({ label: 'reduced_motion', nodes: 1 });
  const visitors = useVisitors();

  it('animates the panel by default and not at all when the visitor prefers reduced motion', async () => {
    const [node] = env.nodes;
    env.host.serve('/calm.html', { body: embedPage({ chat: node!.url, title: 'Quiet Reading Room' }) });

    const moving = await visitors.page({ reducedMotion: 'no-preference' });
    await moving.goto(env.host.url('/calm.html'));
    await openPanel(moving);
    const normal = await motionOf(moving);
    expect(normal.panelAnimation).toBe('synctalk-rise');
    expect(normal.running).toBeGreaterThan(0);
    expect(normal.launcherTransition).not.toBe('0s');

    const calm = await visitors.page({ reducedMotion: 'reduce' });
    await calm.goto(env.host.url('/calm.html'));
    expect(await calm.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches)).toBe(true);
    await openPanel(calm);
    expect(await motionOf(calm)).toEqual({ panelAnimation: 'none', running: 0, launcherTransition: '0s' });
  });
});
