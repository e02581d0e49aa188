/**
 * Two visitors, each on a page that loads the widget from a different server node (two server processes
 * running the built server), sign in through the widget and talk both ways: every message reaches the other
 * node's visitor through the Redis Cluster, in order, marked as one's own or someone else's, with the
 * author's name on others' messages.
 */
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { recordTraffic } from './helpers/traffic.js';
import { useVisitors } from './helpers/visitors.js';
import { readMessages, sendMessage, visitSignedIn } from './helpers/widget.js';

describeBrowser('widget: two visitors on two server nodes chat both ways', () => {
  // One in-process node for the test's own data, two server processes for the visitors.
  const env = useChatEnvironment({ label: 'two_nodes', nodes: 1, processes: 2 });
  const visitors = useVisitors();

  it('shows every message on both sides, in order, own vs others, with author names', async () => {
    const [data, node1, node2] = env.nodes;
    expect([node1!.isProcess, node2!.isProcess]).toEqual([true, true]);
    const {
      room,
      owner: ann,
      member: ben,
    } = await roomWithMember(data!, {
      title: 'Trip planning',
      owner: 'Ann Walker',
      member: 'Ben Ortiz',
    });
    env.host.serve('/ann.html', { body: embedPage({ chat: node1!.url, data: { room: room.id } }) });
    env.host.serve('/ben.html', { body: embedPage({ chat: node2!.url, data: { room: room.id } }) });

    const annPage = await visitors.page();
    const benPage = await visitors.page();
    const annTraffic = recordTraffic(annPage);
    const benTraffic = recordTraffic(benPage);
    await visitSignedIn(annPage, env.host.url('/ann.html'), ann);
    await visitSignedIn(benPage, env.host.url('/ben.html'), ben);

    const script: ['ann' | 'ben', string][] = [
      ['ann', 'Hi Ben! Are we still on for Saturday?'],
      ['ben', 'Yes, leaving at 7. I will bring the stove.'],
      ['ann', 'Great, I have the tent.'],
      ['ann', 'And the map.'],
      ['ben', 'Perfect, see you then 👋'],
    ];
    const pages = { ann: annPage, ben: benPage };
    for (const [index, [who, text]] of script.entries()) {
      await sendMessage(pages[who], text);
      const other = who === 'ann' ? benPage : annPage;
      // The other visitor has the whole conversation so far, in order.
      const sofar = script.slice(0, index + 1).map(([, t]) => t);
      await expect.poll(async () => (await readMessages(other)).map((m) => m.text), POLL).toEqual(sofar);
    }

    const names = { ann: 'Ann Walker', ben: 'Ben Ortiz' };
    for (const viewer of ['ann', 'ben'] as const) {
      const seen = await readMessages(pages[viewer]);
      expect(seen.map((m) => m.text)).toEqual(script.map(([, text]) => text));
      expect(seen.map((m) => m.own)).toEqual(script.map(([who]) => who === viewer));
      expect(seen.every((m) => m.status === 'sent')).toBe(true);
      // Others' messages carry their author's name.
      for (const [i, [who]] of script.entries()) {
        if (who !== viewer) expect(seen[i]!.author).toBe(names[who]);
      }
    }

    // Each visitor talked to their own node only: the conversation crossed nodes through Redis.
    const chatOrigins = new Set([node1!.url, node2!.url]);
    expect(annTraffic.websockets.length).toBeGreaterThan(0);
    expect(benTraffic.websockets.length).toBeGreaterThan(0);
    expect(new Set([...annTraffic.http, ...annTraffic.websockets].filter((o) => chatOrigins.has(o)))).toEqual(
      new Set([node1!.url]),
    );
    expect(new Set([...benTraffic.http, ...benTraffic.websockets].filter((o) => chatOrigins.has(o)))).toEqual(
      new Set([node2!.url]),
    );

    await screenshot(annPage, 'chat-two-nodes-conversation-ann-node1');
    await screenshot(benPage, 'chat-two-nodes-conversation-ben-node2');
  });
});
