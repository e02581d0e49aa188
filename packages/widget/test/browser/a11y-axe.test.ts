/**
 * Accessibility, checked by axe-core on the widget alone: the open panel's sign-in view (with an error), the
 * room list and a conversation with messages, in the light and the dark theme, have no serious or critical
 * violation (text contrast of at least 4.5:1 for normal text, a name for every control, valid roles and ARIA).
 */
import { expect, it } from 'vitest';
import { joinRoom, newRoom, newUser } from '../../../server/test/helpers/factories.js';
import { screenshot } from './helpers/artifacts.js';
import { seriousViolations } from './helpers/axe.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { participant } from './helpers/participant.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { openPanel, part, readMessages, sendMessage, submitLogin } from './helpers/widget.js';

/** A text colour each theme's background cannot carry (under 2:1). */
const FAINT = { light: '#d0d3d8', dark: '#3a3e47' } as const;

describeBrowser('widget: no serious accessibility violation (axe-core)', () => {
  const env = useChatEnvironment({ label: 'a11y_axe', nodes: 1 });
  const visitors = useVisitors();

  for (const theme of ['light', 'dark'] as const) {
    it(`the sign-in view, the room list and a conversation pass axe in the ${theme} theme`, async () => {
      const [node] = env.nodes;
      const host = await newUser(node!, { displayName: 'Host Team' });
      const me = await newUser(node!, { username: `ada_${theme}`, displayName: `Ada ${theme}` });
      const support = await newRoom(node!, host, { title: 'Support', description: 'Orders and returns' });
      const news = await newRoom(node!, host, { title: 'News' });
      for (const room of [support, news]) await joinRoom(node!, me, room);
      const hostInSupport = await participant(node!.url, host, support.id);
      const hostInNews = await participant(node!.url, host, news.id);
      await hostInSupport.send('Hello! How can we help with your order?');
      env.host.serve(`/${theme}.html`, { body: embedPage({ chat: node!.url, data: { theme } }) });

      const page = await visitors.page({ colorScheme: theme });
      const check = async (state: string) => {
        await screenshot(page, `a11y-axe-${theme}-${state}`);
        expect(await seriousViolations(page), `${state}, ${theme} theme`).toEqual([]);
      };

      await page.goto(env.host.url(`/${theme}.html`));
      await openPanel(page);
      await part(page, 'signIn').waitFor();
      // A refused password, so the error's colour is checked too.
      await submitLogin(page, me.user.username!, 'not-the-password');
      await expect.poll(() => part(page, 'error').textContent(), POLL).toBeTruthy();
      await check('sign-in');

      await submitLogin(page, me.user.username!, me.password);
      const item = (title: string) =>
        page.locator('[part~="room-list"] [part~="room-item"]', { hasText: title });
      await item('Support').waitFor();
      // An unread count on the list, so its badge is checked too.
      await hostInNews.send('New tents are in stock.');
      await expect.poll(() => item('News').locator('[part~="room-unread"]').textContent(), POLL).toBe('1');
      await check('room-list');

      await item('Support').click();
      await expect.poll(async () => (await readMessages(page)).length, POLL).toBe(1);
      await sendMessage(page, 'My parcel has not arrived yet.');
      await hostInSupport.send('Sorry about that, let me look it up.');
      await expect.poll(async () => (await readMessages(page)).length, POLL).toBe(3);
      await check('conversation');

      // The check sees inside the shadow root: a host theme whose text is too faint on the widget's own
      // background is reported there.
      await page.addStyleTag({ content: `synctalk-chat { --synctalk-text: ${FAINT[theme]}; }` });
      const faint = await seriousViolations(page);
      expect(faint.filter((v) => /^color-contrast \[serious\] synctalk-chat >> /.test(v))).not.toEqual([]);

      hostInSupport.close();
      hostInNews.close();
    });
  }
});
