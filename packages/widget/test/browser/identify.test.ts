/**
 * `SyncTalk('identify', { token })` with a site token minted by the host's backend (`createUserToken` and
 * the site's secret) signs the visitor in silently, as the host's user: no sign-in form, and the name from
 * the token is the author name others see.
 */
import { createUserToken } from '@synctalk/sdk/server';
import { expect, it } from 'vitest';
import { nextEvent } from '../../../server/test/helpers/cluster.js';
import { newRoom, newSite, newUser } from '../../../server/test/helpers/factories.js';
import { screenshot } from './helpers/artifacts.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage, scriptValue } from './helpers/pages.js';
import { participant } from './helpers/participant.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { openPanel, part, readMessages, sendMessage } from './helpers/widget.js';

describeBrowser('widget: identify with a site token', () => {
  const env = useChatEnvironment({ label: 'identify' });
  const visitors = useVisitors();

  it('signs the visitor in as the host’s user, without a sign-in form', async () => {
    const [node] = env.nodes;
    const { site, secret } = await newSite(node!, { name: 'Acme', origins: [env.host.origin] });
    const staff = await newUser(node!, { site, displayName: 'Acme Support' });
    const room = await newRoom(node!, staff, { title: 'Members lounge', visibility: 'public' });
    const staffSocket = await participant(node!.url, staff, room.id);

    // What the host's backend does for its signed-in visitor.
    const token = createUserToken({
      siteId: site.publicId,
      siteSecret: secret,
      userId: 'acme-customer-1042',
      name: 'Grace Hopper',
      expiresIn: 300,
    });
    env.host.serve('/account.html', {
      body: embedPage({
        chat: node!.url,
        data: { site: site.publicId, room: room.id },
        inline: [
          `SyncTalk('on', 'ready', function (e) { (window.__ready = window.__ready || []).push(e.user && e.user.displayName); });`,
          `SyncTalk('identify', { token: ${scriptValue(token)} });`,
        ].join('\n'),
      }),
    });

    const page = await visitors.page();
    await page.goto(env.host.url('/account.html'));
    await openPanel(page);
    await part(page, 'room').waitFor();
    expect(await part(page, 'signIn').count()).toBe(0);

    const seenByStaff = nextEvent(
      staffSocket.socket,
      'message:new',
      (m) => m.text === 'Hi, my order is late.',
      15_000,
    );
    await sendMessage(page, 'Hi, my order is late.');
    expect((await seenByStaff).author.displayName).toBe('Grace Hopper');

    await staffSocket.send('Sorry Grace, checking now.');
    await expect
      .poll(async () => (await readMessages(page)).map((m) => [m.text, m.own, m.own ? null : m.author]), POLL)
      .toEqual([
        ['Hi, my order is late.', true, null],
        ['Sorry Grace, checking now.', false, 'Acme Support'],
      ]);
    await screenshot(page, 'identify-signed-in-silently');

    // The host heard that the widget is ready.
    await expect
      .poll(() => page.evaluate(() => (window as { __ready?: unknown[] }).__ready ?? []), POLL)
      .not.toEqual([]);
  });
});
