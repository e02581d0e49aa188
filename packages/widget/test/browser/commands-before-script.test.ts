/**
 * Commands given through the documented queue stub before widget.js has arrived are kept and, once it runs,
 * take effect in the order they were given: listeners added first hear everything, `open` and `close`
 * queued before `init` wait for it, `init`'s options (a room, the dark theme, the left corner) win over
 * the defaults, and the final `open` leaves the panel open, where the visitor chats as usual.
 */
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { converse } from './helpers/conversation.js';
import { useChatEnvironment } from './helpers/environment.js';
import { expectLauncherOnTop, expectPanelOnTop, expectPinned, openOnTop } from './helpers/on-top.js';
import { embedPage, scriptValue } from './helpers/pages.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { part } from './helpers/widget.js';

type Window = { SyncTalk: { q?: unknown[]; loaded?: string }; seen: string[] };

describeBrowser('widget: commands queued before the script arrives', () => {
  const env = useChatEnvironment({ label: 'commands_before_script' });
  const visitors = useVisitors();

  it('replays the queue in order once widget.js runs', async () => {
    const [node] = env.nodes;
    const cast = await roomWithMember(node!, {
      title: 'Reservations',
      owner: 'Marco Bellini',
      member: 'Yuki Sato',
    });
    env.host.serve('/trattoria.html', {
      body: embedPage({
        chat: node!.url,
        title: 'Trattoria Bellini',
        inline: `window.seen = [];
SyncTalk('on', 'open', () => seen.push('open'));
SyncTalk('on', 'close', () => seen.push('close'));
SyncTalk('on', 'ready', (info) => seen.push('ready: ' + (info.user ? info.user.displayName : 'nobody')));
SyncTalk('open');
SyncTalk('close');
SyncTalk('init', { room: ${scriptValue(cast.room.id)}, theme: 'dark', position: 'bottom-left' });
SyncTalk('open');`,
      }),
    });

    // widget.js is held back until the test lets it through: the page runs its commands without it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const page = await visitors.page();
    await page.route(`${node!.url}/widget.js`, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(env.host.url('/trattoria.html'), { waitUntil: 'domcontentloaded' });
    const waiting = await page.evaluate(() => {
      const w = window as unknown as Window;
      return { queued: w.SyncTalk.q?.length, loaded: w.SyncTalk.loaded ?? null, seen: w.seen };
    });
    expect(waiting).toEqual({ queued: 7, loaded: null, seen: [] });
    expect(await page.locator('synctalk-chat').count()).toBe(0);

    release();
    await part(page, 'panel').waitFor();
    await expect
      .poll(() => page.evaluate(() => (window as unknown as Window).seen), POLL)
      .toEqual(['open', 'close', 'open', 'ready: nobody']);
    const widget = await page.evaluate(() => {
      const el = document.querySelector('synctalk-chat')!;
      const w = window as unknown as Window;
      return {
        scheme: el.getAttribute('scheme'),
        position: el.getAttribute('position'),
        queue: w.SyncTalk.q,
      };
    });
    expect(widget).toEqual({ scheme: 'dark', position: 'bottom-left', queue: undefined });

    await expectLauncherOnTop(page);
    await expectPanelOnTop(page);
    await expectPinned(page, 'bottom-left');
    await converse(page, node!.url, cast, 'A table for four at eight?', 'Booked, see you tonight.');
    expect(await part(page, 'roomTitle').textContent()).toBe('Reservations');
    // The launcher works as ever, and the listeners queued first still hear it.
    await part(page, 'launcher').click();
    await part(page, 'panel').waitFor({ state: 'detached' });
    await openOnTop(page);
    expect(await page.evaluate(() => (window as unknown as Window).seen.slice(-2))).toEqual([
      'close',
      'open',
    ]);
    expect(visitors.pageErrors).toEqual([]);
    await screenshot(page, 'commands-before-script-dark-bottom-left');
  });
});
