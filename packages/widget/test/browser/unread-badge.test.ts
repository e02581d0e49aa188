/**
 * The launcher's badge counts messages that arrive while the panel is closed (sent by someone else, from
 * another node), and clears once the visitor opens the panel and sees them.
 */
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { participant } from './helpers/participant.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { badgeText, closePanel, openPanel, part, readMessages, visitSignedIn } from './helpers/widget.js';

describeBrowser('widget: the unread badge on the launcher', () => {
  const env = useChatEnvironment({ label: 'unread_badge', nodes: 2 });
  const visitors = useVisitors();

  it('counts messages received while closed, and clears when the panel opens', async () => {
    const [node1, node2] = env.nodes;
    const { room, owner, member } = await roomWithMember(node1!, {
      title: 'Support',
      owner: 'Dan Moss',
      member: 'Cleo Park',
    });
    env.host.serve('/shop.html', { body: embedPage({ chat: node1!.url, data: { room: room.id } }) });

    const page = await visitSignedIn(await visitors.page(), env.host.url('/shop.html'), member);
    await closePanel(page);
    await expect.poll(() => badgeText(page), POLL).toBeNull();

    // Dan writes from node 2 while Cleo's panel (on node 1) is closed.
    const dan = await participant(node2!.url, owner, room.id);
    const texts = ['Hello Cleo!', 'Your order has shipped.', 'Tracking: 1Z999AA10123456784'];
    for (const text of texts) await dan.send(text);

    await expect.poll(() => badgeText(page), POLL).toBe('3');
    expect(await part(page, 'panel').count()).toBe(0);
    await screenshot(page, 'unread-badge-launcher');

    await openPanel(page);
    await expect.poll(async () => (await readMessages(page)).map((m) => m.text), POLL).toEqual(texts);
    await expect.poll(() => badgeText(page), POLL).toBeNull();
    await screenshot(page, 'unread-badge-panel-light');

    // Seen is seen: after closing again a new message counts from one.
    await closePanel(page);
    await dan.send('One more thing: the invoice is attached.');
    await expect.poll(() => badgeText(page), POLL).toBe('1');
  });
});
