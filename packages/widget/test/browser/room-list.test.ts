/**
 * Without a fixed room the widget is a room list: my rooms with their unread counts (a message in a room I am
 * not looking at counts there and on the launcher), the public directory (joining on a click), joining a
 * private room by its code (a wrong code is refused visibly), and creating a room.
 */
import { expect, it } from 'vitest';
import { joinRoom, newRoom, newUser } from '../../../server/test/helpers/factories.js';
import { screenshot } from './helpers/artifacts.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { participant } from './helpers/participant.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { badgeText, openPanel, part, readMessages, sendMessage, submitLogin } from './helpers/widget.js';

describeBrowser('widget: the room list, the directory, join codes and new rooms', () => {
  const env = useChatEnvironment({ label: 'room_list', nodes: 1 });
  const visitors = useVisitors();

  it('lists my rooms with unread counts, joins public and private rooms, creates one', async () => {
    const [node] = env.nodes;
    const host = await newUser(node!, { displayName: 'Host Team' });
    const me = await newUser(node!, { username: 'fay_ito', displayName: 'Fay Ito' });
    const general = await newRoom(node!, host, { title: 'General' });
    const support = await newRoom(node!, host, { title: 'Support' });
    await newRoom(node!, host, { title: 'Events', description: 'Meetups and talks' });
    const vip = await newRoom(node!, host, { title: 'VIP lounge', visibility: 'private' });
    for (const room of [general, support]) await joinRoom(node!, me, room);
    env.host.serve('/app.html', { body: embedPage({ chat: node!.url }) });

    const page = await visitors.page();
    await page.goto(env.host.url('/app.html'));
    await openPanel(page);
    await submitLogin(page, me.user.username!, me.password);
    await part(page, 'roomList').waitFor();
    const item = (title: string) =>
      page.locator('[part~="room-list"] [part~="room-item"]', { hasText: title });
    await item('General').waitFor();
    await item('Support').waitFor();
    expect(await item('Events').count()).toBe(0);

    // A message in Support while I look at the list: counted on the room and on the launcher.
    const hostInSupport = await participant(node!.url, host, support.id);
    await hostInSupport.send('Your ticket was answered.');
    await expect.poll(() => item('Support').locator('[part~="room-unread"]').textContent(), POLL).toBe('1');
    await expect.poll(() => item('General').locator('[part~="room-unread"]').count(), POLL).toBe(0);
    await part(page, 'close').click();
    await expect.poll(() => badgeText(page), POLL).toBe('1');
    await part(page, 'launcher').click();
    await screenshot(page, 'room-list-unread');

    // Opening it shows the message and clears both counts.
    await item('Support').click();
    await expect
      .poll(async () => (await readMessages(page)).map((m) => m.text), POLL)
      .toEqual(['Your ticket was answered.']);
    await page.locator('[part~="back"]').click();
    await expect.poll(() => item('Support').locator('[part~="room-unread"]').count(), POLL).toBe(0);
    await expect.poll(() => badgeText(page), POLL).toBeNull();

    // The directory: a public room I am not in joins on a click and opens.
    await page.locator('[data-action="browse"]').click();
    const directoryItem = page.locator('[part~="directory"] [part~="room-item"]', { hasText: 'Events' });
    await expect(directoryItem.textContent()).resolves.toContain('Meetups and talks');
    expect(await page.locator('[part~="directory"] [part~="room-item"]', { hasText: 'VIP' }).count()).toBe(0);
    await directoryItem.click();
    await expect.poll(() => part(page, 'roomTitle').textContent(), POLL).toBe('Events');
    await sendMessage(page, 'Hello events!');
    await page.locator('[part~="back"]').click();
    await item('Events').waitFor();

    // A wrong code is refused in words; the right one (any case, with a dash) joins the private room.
    await page.locator('input[name="code"]').fill('ZZZZ-ZZZZ');
    await page.locator('[data-action="join-code"]').click();
    await expect.poll(() => part(page, 'error').textContent(), POLL).toMatch(/code/i);
    await page
      .locator('input[name="code"]')
      .fill(`${vip.code!.slice(0, 4).toLowerCase()}-${vip.code!.slice(4)}`);
    await page.locator('[data-action="join-code"]').click();
    await expect.poll(() => part(page, 'roomTitle').textContent(), POLL).toBe('VIP lounge');
    await expect(page.locator('[part~="header"]').textContent()).resolves.toContain(vip.code!);

    // A new room: created, joined as its owner, shown.
    await page.locator('[part~="back"]').click();
    await page.locator('[data-action="create"]').click();
    await page.locator('input[name="title"]').fill('Book club');
    await page.locator('select[name="visibility"]').selectOption('private');
    await page.locator('[part~="create"] button[type="submit"]').click();
    await expect.poll(() => part(page, 'roomTitle').textContent(), POLL).toBe('Book club');
    await sendMessage(page, 'First!');
    await page.locator('[part~="back"]').click();
    await expect.poll(() => page.locator('[part~="room-list"] [part~="room-item"]').count(), POLL).toBe(5);
    await screenshot(page, 'room-list-mine');
    hostInSupport.close();
  });
});
