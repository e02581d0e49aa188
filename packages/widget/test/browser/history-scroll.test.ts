/**
 * History pages in backwards as the visitor scrolls up: the room opens on its latest messages, scrolling to
 * the top loads older pages in order (no message twice, none missing), until the beginning of the
 * conversation.
 */
import { expect, it } from 'vitest';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { participant } from './helpers/participant.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { part, readMessages, visitSignedIn } from './helpers/widget.js';

const COUNT = 130;

describeBrowser('widget: history on scroll', () => {
  // The history is seeded by one connection sending back to back: no rate limit may refuse it.
  const env = useChatEnvironment({
    label: 'history_scroll',
    nodes: 1,
    env: { MESSAGE_RATE_LIMIT: '1000', SOCKET_EVENT_RATE: '1000', SOCKET_EVENT_BURST: '1000' },
  });
  const visitors = useVisitors();

  it('loads older pages, in order and complete, back to the beginning', async () => {
    const [node] = env.nodes;
    const { room, owner, member } = await roomWithMember(node!, {
      title: 'Changelog',
      owner: 'Ops Bot',
      member: 'Eve Lee',
    });
    const bot = await participant(node!.url, owner, room.id);
    const texts = Array.from({ length: COUNT }, (_, i) => `Release note ${i + 1}`);
    for (const text of texts) await bot.send(text);
    bot.close();
    env.host.serve('/notes.html', { body: embedPage({ chat: node!.url, data: { room: room.id } }) });

    const page = await visitSignedIn(await visitors.page(), env.host.url('/notes.html'), member);
    await expect
      .poll(async () => (await readMessages(page)).at(-1)?.text, POLL)
      .toBe(`Release note ${COUNT}`);
    const first = (await readMessages(page)).length;
    expect(first).toBeLessThan(COUNT);
    expect(await part(page, 'messages').locator('.edge', { hasText: 'beginning' }).count()).toBe(0);

    // Scroll to the top until everything is there.
    await expect
      .poll(
        async () => {
          await part(page, 'messages').evaluate((el) => (el.scrollTop = 0));
          return (await readMessages(page)).length;
        },
        { timeout: 20_000, interval: 300 },
      )
      .toBe(COUNT);
    expect((await readMessages(page)).map((m) => m.text)).toEqual(texts);
    await part(page, 'messages').locator('.edge', { hasText: 'beginning of the conversation' }).waitFor();
  });
});
