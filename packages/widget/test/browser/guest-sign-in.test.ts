/**
 * Guest sign-in follows the site's switch: offered and working where guests are on; not offered where they
 * are off; a guest attempt the server refuses, and a wrong password, show the server's refusal in the
 * sign-in view's error line.
 */
import { expect, it } from 'vitest';
import { nextEvent } from '../../../server/test/helpers/cluster.js';
import { newRoom, newSite, newUser } from '../../../server/test/helpers/factories.js';
import type { TestServer } from '../../../server/test/helpers/server.js';
import { screenshot } from './helpers/artifacts.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { participant } from './helpers/participant.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { openPanel, part, partTexts, sendMessage, submitGuest, submitLogin } from './helpers/widget.js';

describeBrowser('widget: guest sign-in and refusals', () => {
  const env = useChatEnvironment({ label: 'guest_sign_in' });
  const visitors = useVisitors();

  /** A site allowing the host page, a public room in it, and the page embedding that room. */
  async function siteWithRoom(node: TestServer, guestsEnabled: boolean, path: string) {
    const { site } = await newSite(node, { origins: [env.host.origin], settings: { guestsEnabled } });
    const owner = await newUser(node, { site, displayName: 'Front Desk' });
    const room = await newRoom(node, owner, { title: 'Lobby', visibility: 'public' });
    env.host.serve(path, {
      body: embedPage({ chat: node.url, data: { site: site.publicId, room: room.id } }),
    });
    return { site, owner, room };
  }

  it('signs a guest in where the site allows guests; they chat under their name', async () => {
    const [node] = env.nodes;
    const { owner, room } = await siteWithRoom(node!, true, '/guests-on.html');
    const desk = await participant(node!.url, owner, room.id);

    const page = await visitors.page();
    await page.goto(env.host.url('/guests-on.html'));
    await openPanel(page);
    await screenshot(page, 'guest-sign-in-form');
    await submitGuest(page, 'Visitor Vera');
    await part(page, 'room').waitFor();
    expect(await part(page, 'signIn').count()).toBe(0);

    const seen = nextEvent(desk.socket, 'message:new', (m) => m.text === 'Is the pool open?', 15_000);
    await sendMessage(page, 'Is the pool open?');
    expect((await seen).author.displayName).toBe('Visitor Vera');
    await screenshot(page, 'guest-sign-in-signed-in');
  });

  it('does not offer guest sign-in where the site has guests off', async () => {
    const [node] = env.nodes;
    await siteWithRoom(node!, false, '/guests-off.html');

    const page = await visitors.page();
    await page.goto(env.host.url('/guests-off.html'));
    await openPanel(page);
    const signIn = part(page, 'signIn');
    // The visitor is offered what the site does allow (password sign-in), no guest option, and a notice
    // saying why.
    await signIn.locator('button[data-view="login"]').waitFor();
    expect(await signIn.locator('button[data-view="guest"]').count()).toBe(0);
    expect(await signIn.locator('input[name="username"]').isVisible()).toBe(true);
    const notice = signIn.locator('[part~="notice"]');
    expect(await notice.isVisible()).toBe(true);
    expect(await notice.textContent()).toMatch(/guest/i);
    await screenshot(page, 'guest-sign-in-guests-off');
  });

  it('shows the server’s refusal when guests were turned off after the page loaded', async () => {
    const [node] = env.nodes;
    const { site } = await siteWithRoom(node!, true, '/guests-turned-off.html');

    const page = await visitors.page();
    await page.goto(env.host.url('/guests-turned-off.html'));
    await openPanel(page);
    await part(page, 'signIn').locator('button[data-view="guest"]').waitFor();
    // The site's admin turns guests off while the visitor has the form open.
    await node!.server.deps.sites.repo.update(site.id, { settings: { guestsEnabled: false } });
    await submitGuest(page, 'Late Larry');

    await expect
      .poll(() => partTexts(page, 'error'), POLL)
      .toEqual([expect.stringContaining('Guest access is disabled on this site')]);
    expect(await part(page, 'error').isVisible()).toBe(true);
    expect(await part(page, 'error').getAttribute('role')).toBe('alert');
    expect(await part(page, 'room').count()).toBe(0);
    await screenshot(page, 'guest-sign-in-refused');
  });

  it('shows a wrong password’s refusal and stays on the sign-in view', async () => {
    const [node] = env.nodes;
    const { site } = await siteWithRoom(node!, false, '/login.html');
    const member = await newUser(node!, { site, username: 'hana_kim', displayName: 'Hana Kim' });

    const page = await visitors.page();
    await page.goto(env.host.url('/login.html'));
    await openPanel(page);
    await submitLogin(page, 'hana_kim', `${member.password}-typo`);

    await expect
      .poll(() => partTexts(page, 'error'), POLL)
      .toEqual([expect.stringMatching(/wrong username or password/i)]);
    expect(await part(page, 'error').isVisible()).toBe(true);
    expect(await part(page, 'signIn').isVisible()).toBe(true);
    expect(await part(page, 'room').count()).toBe(0);
    await screenshot(page, 'guest-sign-in-wrong-password');
  });
});
