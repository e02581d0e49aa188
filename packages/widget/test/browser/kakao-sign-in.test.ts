/**
 * Kakao Login from the widget, against a real server and the fake Kakao: the visitor clicks "Continue with
 * Kakao", signs in in the popup and is in (and still is after a reload); closing the popup, or a browser
 * that blocks it, leaves the visitor on the sign-in view with the reason.
 *
 * The server listens on a port chosen before it starts, because its KAKAO_REDIRECT_URI (registered at the
 * fake Kakao) must name the address the browser reaches it at.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { Site } from '../../../server/src/sites/sites.repository.js';
import { createTestDatabase, type TestDatabase } from '../../../server/test/helpers/database.js';
import { newSite } from '../../../server/test/helpers/factories.js';
import { startFakeKakao, unusedPort, type FakeKakao } from '../../../server/test/helpers/fake-kakao.js';
import { startTestServer, type TestServer } from '../../../server/test/helpers/server.js';
import { screenshot } from './helpers/artifacts.js';
import { expectWidgetServed } from './helpers/chat-servers.js';
import { startHostServer, type HostServer } from './helpers/host-server.js';
import { embedPage } from './helpers/pages.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { openPanel, part, partTexts } from './helpers/widget.js';

describeBrowser('widget: Kakao sign-in', () => {
  const visitors = useVisitors();
  let fake: FakeKakao;
  let db: TestDatabase;
  let t: TestServer;
  let host: HostServer;
  let site: Site;

  beforeAll(async () => {
    const port = await unusedPort();
    fake = await startFakeKakao({ redirectUri: `http://127.0.0.1:${port}/v1/auth/kakao/callback` });
    db = await createTestDatabase('widget_kakao');
    t = await startTestServer({ databaseUrl: db.url, env: fake.env(), port });
    await expectWidgetServed(t.url);
    host = await startHostServer();
    site = (await newSite(t, { origins: [host.origin] })).site;
    host.serve('/', { body: embedPage({ chat: t.url, data: { site: site.publicId } }) });
  });
  afterEach(() => fake.reset());
  afterAll(async () => {
    await host?.close();
    await t?.close();
    await db?.drop();
    await fake?.close();
  });

  /** The host page with the panel open on the sign-in view. */
  async function signInView(page: Page): Promise<Page> {
    await page.goto(host.url('/'));
    await openPanel(page);
    await part(page, 'signIn').locator('[data-action="kakao"]').waitFor();
    return page;
  }

  /** Clicks "Continue with Kakao": the popup it opened. */
  async function clickKakao(page: Page): Promise<Page> {
    const popup = page.waitForEvent('popup');
    await part(page, 'signIn').locator('[data-action="kakao"]').click();
    return popup;
  }

  it('signs the visitor in through the popup, for good', async () => {
    fake.knobs.authorize = { user: fake.addUser({ nickname: 'Frodo' }) };
    const page = await signInView(await visitors.page());
    const popup = await clickKakao(page);
    await part(page, 'roomList').waitFor();
    expect(await part(page, 'signIn').count()).toBe(0);
    await expect.poll(() => popup.isClosed(), POLL).toBe(true);
    const user = await t.server.db('users').where({ display_name: 'Frodo' }).first();
    expect(user).toMatchObject({ kind: 'kakao' });
    expect(String(user.site_id)).toBe(site.id);

    await page.reload();
    await openPanel(page);
    await part(page, 'roomList').waitFor();
    expect(await part(page, 'signIn').count()).toBe(0);
  });

  it('stays on the sign-in view, saying why, when the visitor closes the popup', async () => {
    fake.knobs.authorize = { page: '<!doctype html><title>Kakao</title><p>Log in to Kakao</p>' };
    const page = await signInView(await visitors.page());
    const popup = await clickKakao(page);
    await popup.waitForURL(/\/oauth\/authorize/);
    await popup.close();
    await expect
      .poll(() => partTexts(page, 'error'), POLL)
      .toEqual(['Kakao sign-in was cancelled: the sign-in window was closed']);
    await screenshot(page, 'kakao-sign-in-cancelled');
    expect(await part(page, 'signIn').locator('[data-action="kakao"]').isEnabled()).toBe(true);
  });

  it('asks the visitor to allow pop-ups when the browser blocks the window', async () => {
    const page = await visitors.page();
    // What a popup blocker does: window.open gives no window.
    await page.addInitScript(() => {
      window.open = () => null;
    });
    await signInView(page);
    await part(page, 'signIn').locator('[data-action="kakao"]').click();
    await expect
      .poll(() => partTexts(page, 'error'), POLL)
      .toEqual(['The sign-in window was blocked: allow pop-ups and try again']);
    expect(fake.requests.some((r) => r.path === '/oauth/authorize')).toBe(false);
  });
});
