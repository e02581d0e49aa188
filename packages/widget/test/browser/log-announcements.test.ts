/**
 * Screen readers hear new messages, not the history: the message list is a polite `role="log"`; opening a
 * room with a long history, loading older pages and reopening the panel announce nothing, while a message
 * from someone else that arrives with the room open is announced once. One's own messages are not read
 * back.
 */
import { expect, it } from 'vitest';
import { recordAnnouncements } from './helpers/announcements.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { participant } from './helpers/participant.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import {
  closePanel,
  openPanel,
  part,
  readMessages,
  sendMessage,
  signInWithPassword,
} from './helpers/widget.js';

const HISTORY = 80;

describeBrowser('widget: what the message log announces', () => {
  const env = useChatEnvironment({
    label: 'log_announce',
    nodes: 1,
    env: { MESSAGE_RATE_LIMIT: '1000', SOCKET_EVENT_RATE: '1000', SOCKET_EVENT_BURST: '1000' },
  });
  const visitors = useVisitors();

  it('announces messages that arrive while the room is open, and nothing of the history', async () => {
    const [node] = env.nodes;
    const { room, owner, member } = await roomWithMember(node!, {
      title: 'Night desk',
      owner: 'Sam Ortiz',
      member: 'Ines Moreau',
    });
    const sam = await participant(node!.url, owner, room.id);
    for (let i = 1; i <= HISTORY; i += 1) await sam.send(`Shift note ${i}`);
    env.host.serve('/desk.html', { body: embedPage({ chat: node!.url, data: { room: room.id } }) });

    const page = await visitors.page();
    await page.goto(env.host.url('/desk.html'));
    const announced = await recordAnnouncements(page);
    await openPanel(page);
    await signInWithPassword(page, member.user.username!, member.password);
    await expect
      .poll(async () => (await readMessages(page)).at(-1)?.text, POLL)
      .toBe(`Shift note ${HISTORY}`);
    const log = part(page, 'messages');
    expect(await log.getAttribute('role')).toBe('log');
    expect(await log.getAttribute('aria-live')).toBe('polite');
    expect(await announced()).toEqual([]);

    // Someone else writes: read out once, with the author.
    await sam.send('Anyone on the night desk?');
    await expect.poll(announced, POLL).toHaveLength(1);
    const [first] = await announced();
    expect(first).toContain('Anyone on the night desk?');
    expect(first).toContain('Sam Ortiz');

    // My own message is not read back to me.
    await sendMessage(page, 'Ines here, what do you need?');
    await sam.send('The printer is jammed again.');
    await expect.poll(async () => (await announced()).length, POLL).toBe(2);
    expect((await announced())[1]).toContain('The printer is jammed again.');
    expect((await announced()).join('\n')).not.toContain('Ines here');

    // Older pages loaded by scrolling up are history too.
    const shown = (await readMessages(page)).length;
    expect(shown).toBeLessThan(HISTORY + 3);
    await expect
      .poll(async () => {
        await log.evaluate((el) => el.scrollTo({ top: 0 }));
        return (await readMessages(page)).length;
      }, POLL)
      .toBe(HISTORY + 3);
    expect(await announced()).toHaveLength(2);

    // Closed, a message comes in; reopening shows it as history (no announcement), later ones are new.
    await closePanel(page);
    await sam.send('Fixed it myself.');
    await openPanel(page);
    await expect.poll(async () => (await readMessages(page)).at(-1)?.text, POLL).toBe('Fixed it myself.');
    expect(await announced()).toHaveLength(2);
    await sam.send('Good night!');
    await expect.poll(async () => (await announced()).length, POLL).toBe(3);
    expect((await announced())[2]).toContain('Good night!');
    sam.close();
  });
});
