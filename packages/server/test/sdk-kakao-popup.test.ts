/**
 * `client.auth.kakaoPopup()` in a real browser (Chromium, driven by playwright-core) against a real server
 * and the fake Kakao: a page on the site's allowed origin loads the SDK (bundled from source by esbuild) and
 * signs in from a click. The popup goes through the server's authorize step, Kakao's page and the server's
 * callback page, which posts the session back; forged answers from other windows or origins are ignored. A
 * closed window, a cancel at Kakao, a timeout and a refused origin reject with clear errors; outside a
 * browser the call rejects at once.
 *
 * The server listens on a port chosen before it starts, because its KAKAO_REDIRECT_URI (registered at the
 * fake Kakao) must name the address the browser reaches it at.
 */
import { existsSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createClient, SyncTalkError } from '@synctalk/sdk';
import { build } from 'esbuild';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchBrowser, newVisitor } from '../../widget/test/browser/helpers/browser.js';
import type { Site } from '../src/sites/sites.repository.js';
import { createTestDatabase, type TestDatabase } from './helpers/database.js';
import { testEnv } from './helpers/env.js';
import { newSite } from './helpers/factories.js';
import { startFakeKakao, unusedPort, type FakeKakao } from './helpers/fake-kakao.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { describeWith } from './helpers/services.js';

/** Loads the SDK from source as `window.SyncTalk`, then signs in with Kakao when the button is clicked. */
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>The shop</title>
<button id="kakao">Sign in with Kakao</button>
<button id="cancel">Cancel</button>
<script src="/sdk.js"></script>
<script>
  const params = new URLSearchParams(location.search);
  const client = SyncTalk.createClient({ baseUrl: params.get('chat'), site: params.get('site') });
  const timeoutMs = params.has('timeout') ? Number(params.get('timeout')) : undefined;
  const controller = new AbortController();
  document.getElementById('cancel').addEventListener('click', () => controller.abort(new Error('Cancelled by the page')));
  document.getElementById('kakao').addEventListener('click', () => {
    client.auth.kakaoPopup({ timeoutMs, signal: controller.signal }).then(
      async (auth) => {
        const me = await client.me.get();
        const tokens = await client.auth.tokens();
        window.outcome = { ok: true, user: auth.user, me: me.displayName, stored: tokens.accessToken === auth.accessToken };
      },
      (error) => {
        window.outcome = {
          ok: false,
          typed: error instanceof SyncTalk.SyncTalkError,
          code: error.code,
          message: error.message,
          reason: error.details && error.details.reason,
        };
      },
    );
  });
</script>
`;

/** The bits of a browser window the test's scripts use (this package is typed without the DOM). */
interface BrowserWindow {
  postMessage(message: unknown, targetOrigin: string): void;
  open(url: string, target: string): unknown;
  opener: BrowserWindow;
}

interface Outcome {
  ok: boolean;
  user?: { id: string; kind: string; displayName: string };
  me?: string;
  stored?: boolean;
  typed?: boolean;
  code?: string;
  message?: string;
  reason?: string;
}

/** A static server for the shop's page and the SDK bundle, on its own origin. */
async function startShop(sdk: string): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createHttpServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://shop').pathname;
    if (path === '/') res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    else if (path === '/sdk.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(sdk);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The SDK's source as one browser script defining `window.SyncTalk`. */
async function sdkBundle(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL('../../sdk/src/index.ts', import.meta.url))],
    bundle: true,
    format: 'iife',
    globalName: 'SyncTalk',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

const chromium = existsSync(CHROMIUM_PATH) ? undefined : `needs Chromium at ${CHROMIUM_PATH}`;
const describeBrowser = (name: string, fn: () => void) =>
  chromium && !testEnv.requireServices
    ? describe.skip(`${name} [skipped: ${chromium}]`, fn)
    : describeWith(['postgres'], name, fn);

describeBrowser('sdk: Kakao sign-in in a popup, in Chromium', () => {
  let fake: FakeKakao;
  let db: TestDatabase;
  let t: TestServer;
  let shop: Awaited<ReturnType<typeof startShop>>;
  let site: Site;
  let browser: Browser;
  let context: BrowserContext | undefined;

  beforeAll(async () => {
    const port = await unusedPort();
    fake = await startFakeKakao({ redirectUri: `http://127.0.0.1:${port}/v1/auth/kakao/callback` });
    db = await createTestDatabase('sdk_kakao_popup');
    t = await startTestServer({ databaseUrl: db.url, env: fake.env(), port });
    shop = await startShop(await sdkBundle());
    site = (await newSite(t, { origins: [shop.origin] })).site;
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await context?.close();
    context = undefined;
    fake.reset();
  });
  afterAll(async () => {
    await browser?.close();
    await shop?.close();
    await t?.close();
    await db?.drop();
    await fake?.close();
  });

  /** The shop's page in a fresh browser (its own cookies). */
  async function openShop(query: Record<string, string> = {}): Promise<Page> {
    context = await newVisitor(browser);
    const page = await context.newPage();
    const params = new URLSearchParams({ chat: t.url, site: site.publicId, ...query });
    await page.goto(`${shop.origin}/?${params}`);
    return page;
  }

  /** Kakao's login page, where the user does nothing (yet). */
  const KAKAO_PAGE = '<!doctype html><title>Kakao</title><p>Log in to Kakao</p>';

  /** Clicks the sign-in button: the popup it opened. */
  async function click(page: Page): Promise<Page> {
    const popup = page.waitForEvent('popup');
    await page.click('#kakao');
    return popup;
  }

  async function outcome(page: Page): Promise<Outcome> {
    await page.waitForFunction(() => (globalThis as { outcome?: unknown }).outcome !== undefined);
    return page.evaluate(() => (globalThis as unknown as { outcome: Outcome }).outcome);
  }

  const visitedKakao = () => fake.requests.some((r) => r.path === '/oauth/authorize');

  it('signs in from a click, ignoring forged answers, and stores the session', async () => {
    const frodo = fake.addUser({ nickname: 'Frodo' });
    const forged = {
      accessToken: 'forged',
      refreshToken: 'forged',
      tokenType: 'Bearer',
      expiresIn: 900,
      user: { id: '1', kind: 'kakao', displayName: 'Mallory' },
    };
    const message = (state: string | null) => ({
      source: 'synctalk',
      type: 'kakao:login',
      ok: true,
      state,
      auth: forged,
    });
    // Kakao's page (another origin than the server's callback page) posts a success for this very state.
    fake.knobs.authorize = {
      page: `<!doctype html><title>Kakao</title>
<button id="login">Log in</button>
<script>
  const url = new URL(location.href);
  const forged = ${JSON.stringify(message(null))};
  opener.postMessage(Object.assign(forged, { state: url.searchParams.get('state') }), '*');
  document.getElementById('login').onclick = () => {
    url.searchParams.set('fake_user', '${frodo.id}');
    location.replace(url.toString());
  };
</script>`,
    };
    const page = await openShop();
    const popup = await click(page);
    await popup.waitForURL(/\/oauth\/authorize/);
    // So do the shop's page itself, and another window on the server's origin: not the popup either.
    const state = new URL(popup.url()).searchParams.get('state');
    await page.evaluate((m) => (globalThis as unknown as BrowserWindow).postMessage(m, '*'), message(state));
    const [impostor] = await Promise.all([
      page.waitForEvent('popup'),
      page.evaluate(
        (url) => void (globalThis as unknown as BrowserWindow).open(url, 'impostor'),
        `${t.url}/healthz`,
      ),
    ]);
    await impostor.waitForLoadState();
    expect(new URL(impostor.url()).origin).toBe(t.url);
    await impostor.evaluate(
      (m) => (globalThis as unknown as BrowserWindow).opener.postMessage(m, '*'),
      message(state),
    );
    await popup.click('#login');

    const result = await outcome(page);
    expect(result).toMatchObject({
      ok: true,
      user: { kind: 'kakao', displayName: 'Frodo' },
      me: 'Frodo',
      stored: true,
    });
    await expect.poll(() => popup.isClosed()).toBe(true);
    const row = await t.server.db('users').where({ id: result.user!.id }).first();
    expect(String(row.site_id)).toBe(site.id);
  });

  it('rejects when the user closes the window', async () => {
    fake.knobs.authorize = { page: KAKAO_PAGE };
    const page = await openShop();
    const popup = await click(page);
    await popup.waitForURL(/\/oauth\/authorize/);
    await popup.close();
    expect(await outcome(page)).toEqual({
      ok: false,
      typed: true,
      code: 'unauthorized',
      message: 'Kakao sign-in was cancelled: the sign-in window was closed',
      reason: 'closed',
    });
  });

  it('rejects with the server’s answer when the user cancels at Kakao', async () => {
    fake.knobs.authorize = { deny: true };
    const page = await openShop();
    const popup = await click(page);
    expect(await outcome(page)).toMatchObject({
      ok: false,
      typed: true,
      code: 'unauthorized',
      message: 'Kakao sign-in was cancelled',
    });
    expect(visitedKakao()).toBe(true);
    await expect.poll(() => popup.isClosed()).toBe(true);
  });

  it('gives up after timeoutMs and closes the window', async () => {
    fake.knobs.authorize = { page: KAKAO_PAGE };
    const page = await openShop({ timeout: '1500' });
    const popup = await click(page);
    expect(await outcome(page)).toMatchObject({
      ok: false,
      typed: true,
      code: 'unauthorized',
      reason: 'timeout',
    });
    await expect.poll(() => popup.isClosed()).toBe(true);
  });

  it('closes the window and rejects with the reason when the page aborts', async () => {
    fake.knobs.authorize = { page: KAKAO_PAGE };
    const page = await openShop();
    const popup = await click(page);
    await popup.waitForURL(/\/oauth\/authorize/);
    await page.click('#cancel');
    expect(await outcome(page)).toMatchObject({ ok: false, typed: false, message: 'Cancelled by the page' });
    await expect.poll(() => popup.isClosed()).toBe(true);
  });

  it('closes the window and rejects when the site does not allow the page’s origin', async () => {
    // The server refuses the start; the browser does not even let the page read why (no CORS answer).
    const other = (await newSite(t, { origins: ['https://elsewhere.example'] })).site;
    fake.knobs.authorize = { page: KAKAO_PAGE };
    const page = await openShop({ site: other.publicId });
    const popup = await click(page);
    expect(await outcome(page)).toMatchObject({ ok: false, typed: true, code: 'unavailable' });
    await expect.poll(() => popup.isClosed()).toBe(true);
    expect(visitedKakao()).toBe(false);
  });
});

describe('sdk: Kakao sign-in in a popup, outside a browser', () => {
  it('rejects at once with a clear error', async () => {
    const client = createClient({
      baseUrl: 'http://127.0.0.1:9',
      fetch: () => Promise.reject(new Error('no requests')),
    });
    const error = await client.auth.kakaoPopup().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncTalkError);
    expect(error).toMatchObject({ code: 'validation_failed', details: { reason: 'no_browser' } });
    expect((error as Error).message).toMatch(/needs a browser window/);
  });
});
