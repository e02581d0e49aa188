/**
 * A signed-in visitor who reloads the page stays signed in (the session is kept in the page's storage):
 * no sign-in form, the room's history is there, and sending still works.
 */
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { openPanel, part, readMessages, sendMessage, visitSignedIn } from './helpers/widget.js';

describeBrowser('widget: the session survives a page reload', () => {
  const env = useChatEnvironment({ label: 'session_reload' });
  const visitors = useVisitors();

  it('reloads signed in, with the history visible, and can send again', async () => {
    const [node] = env.nodes;
    const { room, member } = await roomWithMember(node!, {
      title: 'Book club',
      owner: 'Frank Olsen',
      member: 'Eve Lund',
    });
    env.host.serve('/blog.html', { body: embedPage({ chat: node!.url, data: { room: room.id } }) });

    const page = await visitSignedIn(await visitors.page(), env.host.url('/blog.html'), member);
    await sendMessage(page, 'Chapter 3 was the best so far.');
    await sendMessage(page, 'Who is hosting next week?');

    await page.reload();
    await openPanel(page);
    await part(page, 'room').waitFor();
    expect(await part(page, 'signIn').count()).toBe(0);
    await expect
      .poll(async () => (await readMessages(page)).map((m) => [m.text, m.own]), POLL)
      .toEqual([
        ['Chapter 3 was the best so far.', true],
        ['Who is hosting next week?', true],
      ]);
    await sendMessage(page, 'I can host.');
    await screenshot(page, 'session-reload-after-reload');
  });
});
