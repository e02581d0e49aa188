/**
 * A visitor without a mouse: Tab reaches the launcher from the page, Enter opens the panel with the focus
 * inside it, the sign-in form, the room list and the composer are reached and used with Tab, Shift+Tab,
 * Space, Enter and typing, and Escape closes the panel with the focus back on the launcher. Every focused
 * control shows a focus ring.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { joinRoom, newRoom, newUser } from '../../../server/test/helpers/factories.js';
import { screenshot } from './helpers/artifacts.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { part } from './helpers/widget.js';

/** What has the focus, looking through shadow roots. */
interface Focused {
  tag: string;
  part: string | null;
  name: string | null;
  label: string | null;
  text: string;
  dataView: string | null;
  inPanel: boolean;
  /** Whether it matches :focus-visible and draws an outline or a box shadow there. */
  ring: boolean;
}

function focused(page: Page): Promise<Focused> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) throw new Error('nothing has the focus');
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    return {
      tag: el.tagName.toLowerCase(),
      part: el.getAttribute('part'),
      name: el.getAttribute('name'),
      label: el.getAttribute('aria-label'),
      text: el.textContent?.trim() ?? '',
      dataView: el.getAttribute('data-view'),
      inPanel: el.closest('[part~="panel"]') !== null,
      ring: el.matches(':focus-visible') && (outline || style.boxShadow !== 'none'),
    };
  });
}

/** Presses `key` (Tab or Shift+Tab) until `wanted` holds for the focused element; fails after `max` presses. */
async function tabTo(
  page: Page,
  wanted: (f: Focused) => boolean,
  what: string,
  key: 'Tab' | 'Shift+Tab' = 'Tab',
  max = 25,
): Promise<Focused> {
  const seen: string[] = [];
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press(key);
    const f = await focused(page);
    if (wanted(f)) return f;
    seen.push(`${f.tag}[${f.part ?? f.name ?? f.label ?? f.text.slice(0, 20)}]`);
  }
  throw new Error(`${key} never reached ${what}; focus went through ${seen.join(' → ')}`);
}

describeBrowser('widget: everything by keyboard alone', () => {
  const env = useChatEnvironment({ label: 'keyboard_only' });
  const visitors = useVisitors();

  it('opens, signs in, chooses a room, sends and closes without a mouse', async () => {
    const [node] = env.nodes;
    const host = await newUser(node!, { displayName: 'Host Team' });
    const me = await newUser(node!, { username: 'kim_ha', displayName: 'Kim Ha' });
    const general = await newRoom(node!, host, { title: 'General' });
    const support = await newRoom(node!, host, { title: 'Support' });
    for (const room of [general, support]) await joinRoom(node!, me, room);
    env.host.serve('/shop.html', { body: embedPage({ chat: node!.url }) });

    const page = await visitors.page();
    await page.goto(env.host.url('/shop.html'));
    await part(page, 'launcher').waitFor();

    // Tab from the page reaches the launcher, which shows a focus ring.
    const launcher = await tabTo(page, (f) => f.part === 'launcher', 'the launcher');
    expect(launcher.ring).toBe(true);
    await screenshot(page, 'keyboard-launcher-focused');

    // Enter opens the panel and moves the focus into it.
    await page.keyboard.press('Enter');
    await part(page, 'panel').waitFor();
    await part(page, 'signIn').waitFor();
    await expect.poll(async () => (await focused(page)).inPanel, POLL).toBe(true);

    // Sign in: the "Log in" tab with Space, the fields by Tab, Enter submits.
    const tab = await tabTo(page, (f) => f.dataView === 'login', 'the "Log in" tab');
    expect(tab.ring).toBe(true);
    await page.keyboard.press('Space');
    await part(page, 'signIn').locator('input[name="password"]').waitFor();
    await tabTo(page, (f) => f.name === 'username', 'the username field');
    await page.keyboard.type(me.user.username!);
    await page.keyboard.press('Tab');
    expect((await focused(page)).name).toBe('password');
    await page.keyboard.type(me.password);
    await page.keyboard.press('Enter');

    // The room list, its rooms reached by Tab; Enter opens one, with the focus on the composer.
    await part(page, 'roomList').waitFor();
    await page.locator('[part~="room-list"] [part~="room-item"]', { hasText: 'Support' }).waitFor();
    await expect.poll(async () => (await focused(page)).inPanel, POLL).toBe(true);
    const item = await tabTo(
      page,
      (f) => f.part === 'room-item' && f.text.includes('Support'),
      'the Support room',
    );
    expect(item.ring).toBe(true);
    await screenshot(page, 'keyboard-room-item-focused');
    await page.keyboard.press('Enter');
    await expect.poll(() => part(page, 'roomTitle').textContent(), POLL).toBe('Support');
    await expect.poll(async () => (await focused(page)).part, POLL).toBe('input');

    // Typed and sent with Enter: stored on the server, and the composer is empty again.
    await page.keyboard.type('Is the 2-person tent in stock?');
    await page.keyboard.press('Enter');
    const stored = async () => {
      const res = await fetch(`${node!.url}/v1/rooms/${support.id}/messages`, { headers: host.headers });
      const body = (await res.json()) as { messages: { text: string; author: { id: string } }[] };
      return body.messages.map((m) => [m.text, m.author.id]);
    };
    await expect.poll(stored, POLL).toEqual([['Is the 2-person tent in stock?', me.user.id]]);
    await expect.poll(() => part(page, 'input').inputValue(), POLL).toBe('');
    const composer = await focused(page);
    expect(composer.part).toBe('input');
    expect(composer.ring).toBe(true);

    // Shift+Tab walks back to the header's "back" button, which returns to the list.
    const back = await tabTo(page, (f) => f.part === 'back', 'the back button', 'Shift+Tab');
    expect(back.ring).toBe(true);
    await screenshot(page, 'keyboard-back-focused');
    await page.keyboard.press('Enter');
    await part(page, 'roomList').waitFor();
    await expect.poll(async () => (await focused(page)).inPanel, POLL).toBe(true);

    // Escape closes the panel and gives the focus back to the launcher.
    await page.keyboard.press('Escape');
    await part(page, 'panel').waitFor({ state: 'detached' });
    const after = await focused(page);
    expect(after.part).toBe('launcher');
    expect(after.ring).toBe(true);
    await screenshot(page, 'keyboard-closed-launcher-focused');

    // And Enter opens it again, the focus on the first room (not on a header button such as sign-out).
    await page.keyboard.press('Enter');
    await part(page, 'roomList').waitFor();
    await expect.poll(async () => (await focused(page)).part, POLL).toBe('room-item');
  });
});
