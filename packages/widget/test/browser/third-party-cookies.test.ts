/**
 * The widget on a website of another site than the chat server (the page at `http://localhost:…`, the chat
 * at `http://127.0.0.1:…`), in a Chromium that blocks third-party cookies: a member who signs in with a
 * password, and a guest, chat both ways and are still signed in, with their history, after reloading the
 * page (the session lives in the host page's own storage, never in a cookie of the chat's site).
 *
 * The blocking is proved live in the very browser each visitor uses: a frame of the chat's site cannot keep
 * a cookie there, where a browser allowing third-party cookies keeps it. (The probe page is served from
 * 127.0.0.1 on another port than the chat: cookies do not tell ports apart, so it is the chat's cookie jar;
 * the chat server's own pages refuse to be framed.)
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { newRoom, newSite, newUser } from '../../../server/test/helpers/factories.js';
import { screenshot } from './helpers/artifacts.js';
import {
  thirdPartyCookieReadBack,
  useCookieBrowsers,
  type CookieBrowser,
} from './helpers/cookie-browsers.js';
import { exchange } from './helpers/conversation.js';
import { openOnTop } from './helpers/on-top.js';
import { useChatEnvironment } from './helpers/environment.js';
import { startHostServer, type HostServer } from './helpers/host-server.js';
import { embedPage, serveSiteStyles } from './helpers/pages.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { part, readMessages, signInWithPassword, submitGuest } from './helpers/widget.js';

describeBrowser('widget: on another site than the chat, with third-party cookies blocked', () => {
  // The host page on localhost: another site than the chat nodes on 127.0.0.1, which allow its origin.
  const env = useChatEnvironment({ label: 'third_party_cookies', hostName: 'localhost' });
  const browsers = useCookieBrowsers();
  /** Pages of the chat's site (127.0.0.1) to frame. */
  let chatSite: HostServer;

  beforeAll(async () => {
    chatSite = await startHostServer();
  });
  afterAll(async () => {
    await chatSite?.close();
  });

  /** A browser blocking third-party cookies, checked to be blocking them on this host page. */
  async function blockingBrowser(): Promise<CookieBrowser> {
    const visitor = await browsers.launch('blocked');
    expect(await thirdPartyCookieReadBack(visitor.page, env.host, chatSite)).toBe('');
    return visitor;
  }

  /** After a reload: the panel opens on the room (no sign-in), with `history` in it. */
  async function expectSignedInAfterReload(visitor: CookieBrowser, history: [string, boolean][]) {
    const { page } = visitor;
    await page.reload();
    await openOnTop(page, { over: 'main' });
    await part(page, 'room').waitFor();
    expect(await part(page, 'signIn').count()).toBe(0);
    await expect
      .poll(async () => (await readMessages(page)).map((m) => [m.text, m.own]), POLL)
      .toEqual(history);
  }

  it('runs where the chat’s site keeps no cookie in the page, and a browser allowing them does', async () => {
    const [node] = env.nodes;
    expect(new URL(env.host.origin).hostname).toBe('localhost');
    expect(new URL(node!.url).hostname).toBe(new URL(chatSite.origin).hostname);

    const blocking = await browsers.launch('blocked');
    expect(await thirdPartyCookieReadBack(blocking.page, env.host, chatSite)).toBe('');
    // Cookies as such work in that browser: the host page keeps its own.
    expect(
      await blocking.page.evaluate(() => {
        document.cookie = 'visited=1';
        return document.cookie;
      }),
    ).toBe('visited=1');

    const allowing = await browsers.launch('allowed');
    expect(await thirdPartyCookieReadBack(allowing.page, env.host, chatSite)).toBe('probe=1');
  });

  it('keeps a member signed in with a password, with the history, across a reload', async () => {
    const [node] = env.nodes;
    const { room, owner, member } = await roomWithMember(node!, {
      title: 'Bike repairs',
      owner: 'Oskar Lindqvist',
      member: 'Maja Berg',
    });
    env.host.serve('/workshop.html', {
      body: embedPage({
        chat: node!.url,
        data: { room: room.id },
        head: serveSiteStyles(env.host),
        title: 'Lindqvist Cycles',
      }),
    });

    const visitor = await blockingBrowser();
    const { page } = visitor;
    await page.goto(env.host.url('/workshop.html'));
    await openOnTop(page, { over: 'main' });
    await signInWithPassword(page, member.user.username!, member.password);
    await exchange(page, {
      chat: node!.url,
      other: owner,
      roomId: room.id,
      mine: 'Is my bike ready?',
      theirs: 'Yes, new brake pads fitted.',
    });

    await expectSignedInAfterReload(visitor, [
      ['Is my bike ready?', true],
      ['Yes, new brake pads fitted.', false],
    ]);
    await exchange(page, {
      chat: node!.url,
      other: owner,
      roomId: room.id,
      mine: 'Great, I will pick it up at five.',
      theirs: 'See you then.',
    });
    await screenshot(page, 'third-party-cookies-member-after-reload');
    expect(visitor.pageErrors).toEqual([]);
  });

  it('keeps a guest signed in, with the history, across a reload', async () => {
    const [node] = env.nodes;
    const { site } = await newSite(node!, { origins: [env.host.origin], settings: { guestsEnabled: true } });
    const owner = await newUser(node!, { site, displayName: 'Front Desk' });
    const room = await newRoom(node!, owner, { title: 'Reception', visibility: 'public' });
    env.host.serve('/hotel.html', {
      body: embedPage({
        chat: node!.url,
        data: { site: site.publicId, room: room.id },
        head: serveSiteStyles(env.host),
        title: 'Hotel Fjordlys',
      }),
    });

    const visitor = await blockingBrowser();
    const { page } = visitor;
    await page.goto(env.host.url('/hotel.html'));
    await openOnTop(page, { over: 'main' });
    await submitGuest(page, 'Visitor Vera');
    await part(page, 'room').waitFor();
    await exchange(page, {
      chat: node!.url,
      other: owner,
      roomId: room.id,
      mine: 'Is late check-out possible?',
      theirs: 'Until 2 pm, at no charge.',
    });

    await expectSignedInAfterReload(visitor, [
      ['Is late check-out possible?', true],
      ['Until 2 pm, at no charge.', false],
    ]);
    await screenshot(page, 'third-party-cookies-guest-after-reload');
    expect(visitor.pageErrors).toEqual([]);
  });
});
