/**
 * Themes: `data-theme="dark"` gives the panel a different background than `light`, and `auto` follows the
 * visitor's colour scheme (dark here, as the operating system would report it).
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { participant } from './helpers/participant.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { effectiveBackground, part, readMessages, visitSignedIn } from './helpers/widget.js';

describeBrowser('widget: light, dark and automatic themes', () => {
  const env = useChatEnvironment({ label: 'dark_theme' });
  const visitors = useVisitors();

  it('renders the dark theme on a different background, and auto follows a dark colour scheme', async () => {
    const [node] = env.nodes;
    const {
      room,
      owner,
      member: kai,
    } = await roomWithMember(node!, {
      title: 'After hours',
      owner: 'Night Shift',
      member: 'Kai Moon',
    });
    const nightShift = await participant(node!.url, owner, room.id);
    await nightShift.send('Evening! The store is open until midnight.');
    for (const theme of ['light', 'dark', 'auto']) {
      env.host.serve(`/${theme}.html`, {
        body: embedPage({ chat: node!.url, data: { room: room.id, theme } }),
      });
    }

    const signedIn = async (page: Page, theme: string) => {
      await visitSignedIn(page, env.host.url(`/${theme}.html`), kai);
      await expect.poll(async () => (await readMessages(page)).length, POLL).toBe(1);
      return effectiveBackground(part(page, 'panel'));
    };

    const light = await signedIn(await visitors.page({ colorScheme: 'light' }), 'light');
    const darkPage = await visitors.page({ colorScheme: 'light' });
    const dark = await signedIn(darkPage, 'dark');
    await screenshot(darkPage, 'dark-theme-panel-dark');
    const autoPage = await visitors.page({ colorScheme: 'dark' });
    const auto = await signedIn(autoPage, 'auto');
    await screenshot(autoPage, 'dark-theme-panel-auto-dark-scheme');

    expect(light).not.toBe('transparent');
    expect(dark).not.toBe(light);
    expect(auto).toBe(dark);
    // Dark means dark: the background's luminance is lower than the light theme's.
    expect(luminance(dark)).toBeLessThan(luminance(light));
  });
});

function luminance(color: string): number {
  const [r, g, b] = (/^rgb\((\d+), (\d+), (\d+)\)$/.exec(color) ?? []).slice(1).map(Number);
  if (r === undefined || g === undefined || b === undefined) throw new Error(`not an rgb() colour: ${color}`);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
