/**
 * A visitor whose connection drops gets it back by itself, with nothing missed: when the browser goes offline
 * the widget says it is reconnecting, messages sent meanwhile appear once it is back online, in order, and
 * the visitor can send again; when the server closes the connection, the same.
 */
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { participant } from './helpers/participant.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { partTexts, readMessages, sendMessage, visitSignedIn } from './helpers/widget.js';

describeBrowser('widget: a dropped connection comes back with everything missed', () => {
  // The visitor on node 1, the other member on node 2: the server that drops the visitor is not theirs.
  const env = useChatEnvironment({ label: 'connection_drop', nodes: 2 });
  const visitors = useVisitors();

  it('reconnects after the browser was offline and after the server closed the connection', async () => {
    const [node1, node2] = env.nodes;
    const { room, owner, member } = await roomWithMember(node1!, {
      title: 'Night shift',
      owner: 'Gus Hale',
      member: 'Ida Roy',
    });
    env.host.serve('/desk.html', { body: embedPage({ chat: node1!.url, data: { room: room.id } }) });
    const gus = await participant(node2!.url, owner, room.id);
    const page = await visitSignedIn(await visitors.page(), env.host.url('/desk.html'), member);
    await sendMessage(page, 'Starting my shift.');
    const texts = async () => (await readMessages(page)).map((m) => m.text);

    // Offline: the widget drops its connection at once and says so.
    await page.context().setOffline(true);
    await expect.poll(() => partTexts(page, 'banner'), POLL).toEqual(['Reconnecting…']);
    await screenshot(page, 'connection-drop-offline');
    await gus.send('Anyone there?');
    await gus.send('The printer is jammed again.');
    await page.context().setOffline(false);
    await expect.poll(() => partTexts(page, 'banner'), POLL).toEqual([]);
    await expect
      .poll(texts, POLL)
      .toEqual(['Starting my shift.', 'Anyone there?', 'The printer is jammed again.']);
    await sendMessage(page, 'Back now, on my way.');

    // The server closes the visitor's connection (its only one on node 1).
    const visitorSockets = () => [...node1!.server.io.of('/chat').sockets.values()];
    expect(visitorSockets()).toHaveLength(1);
    const dropped = visitorSockets()[0]!;
    dropped.conn.close();
    await gus.send('Thanks!');
    await expect
      .poll(texts, POLL)
      .toEqual([
        'Starting my shift.',
        'Anyone there?',
        'The printer is jammed again.',
        'Back now, on my way.',
        'Thanks!',
      ]);
    await sendMessage(page, 'Fixed it.');
    // On a new connection.
    expect(visitorSockets()).toHaveLength(1);
    expect(visitorSockets()[0]).not.toBe(dropped);
    gus.close();
  });
});
