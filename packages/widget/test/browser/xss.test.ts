/**
 * Markup in what other people write (message text, display name, room title) is shown as literal text:
 * nothing is parsed as HTML, no handler runs, and only http(s) URLs become links.
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

const IMG = '<img src=x onerror=window.__xss=1>';
const SCRIPT = '<script>window.__xss=2</script>';
const NAME = '<img src=x onerror=window.__xss=3><script>__xss=4</script>';
const TITLE = '<img src=x onerror=window.__xss=5> lounge';
const LINKS = 'javascript:window.__xss=6 and https://example.com/help';

describeBrowser('widget: no HTML injection from chat content', () => {
  const env = useChatEnvironment({ label: 'xss' });
  const visitors = useVisitors();

  it('renders markup in messages, names and titles as literal text', async () => {
    const [node] = env.nodes;
    const {
      room,
      owner: mallory,
      member: ivy,
    } = await roomWithMember(node!, {
      title: TITLE,
      owner: NAME,
      member: 'Ivy Chen',
    });
    env.host.serve('/forum.html', { body: embedPage({ chat: node!.url, data: { room: room.id } }) });

    const page = await visitSignedIn(await visitors.page(), env.host.url('/forum.html'), ivy);

    const attacker = await participant(node!.url, mallory, room.id);
    await attacker.send(IMG);
    await attacker.send(SCRIPT);
    await attacker.send(LINKS);
    await sendMessage(page, `${IMG} ${SCRIPT}`);

    await expect
      .poll(async () => (await readMessages(page)).map((m) => [m.text, m.own ? null : m.author]), POLL)
      .toEqual([
        [IMG, NAME],
        [SCRIPT, NAME],
        [LINKS, NAME],
        [`${IMG} ${SCRIPT}`, null],
      ]);
    expect(await partTexts(page, 'roomTitle')).toEqual([TITLE]);

    // Any <img src=x> the widget had created would have failed to load by the time this probe does.
    await page.evaluate(
      () =>
        new Promise<void>((resolve) => {
          const probe = new Image();
          probe.onerror = probe.onload = () => resolve();
          probe.src = 'x';
        }),
    );
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(await page.locator('[part~="messages"] img, [part~="messages"] script').count()).toBe(0);
    expect(await page.locator('[part~="room-title"] img').count()).toBe(0);
    const hrefs = await page
      .locator('[part~="messages"] a')
      .evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(['https://example.com/help']);
    await screenshot(page, 'xss-literal-text');
  });
});
