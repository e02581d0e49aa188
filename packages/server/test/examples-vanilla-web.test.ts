/**
 * examples/vanilla-web in real Chromium against a real server, as its README runs it: `serve.mjs` (a child
 * process) serves the one HTML file and the SDK's browser build; the page signs in as a guest, opens the
 * Lobby and chats live with a client of the SDK in Node, both ways, rendering what others write as text.
 * Screenshots: packages/widget/test/browser/artifacts/vanilla-web-*.png (with the other browser tests').
 */
import { existsSync } from 'node:fs';
import { createClient, type Connection, type Message } from '@synctalk/sdk';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../../widget/test/browser/helpers/artifacts.js';
import { CHROMIUM_PATH, launchBrowser, newVisitor } from '../../widget/test/browser/helpers/browser.js';
import { testEnv } from './helpers/env.js';
import { startExample, type RunningExample } from './helpers/example.js';
import { defaultSite, newUser } from './helpers/factories.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const POLL = { timeout: 15_000, interval: 100 };

function describeWithChromium(name: string, fn: () => void): void {
  const missing = existsSync(CHROMIUM_PATH)
    ? undefined
    : `${CHROMIUM_PATH} is missing (apt-get install chromium)`;
  if (!missing) describe(name, fn);
  else if (testEnv.requireServices) {
    describe(name, () => {
      it(`[SYNCTALK_REQUIRE_SERVICES=1] ${missing}`, () => {
        throw new Error(`SYNCTALK_REQUIRE_SERVICES=1 but ${missing}`);
      });
    });
  } else describe.skip(`${name} [skipped: ${missing}]`, fn);
}

describeWithChromium('examples/vanilla-web', () => {
  let t: TestServer;
  let example: RunningExample;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let bob: Connection;
  let lobbyId: string;
  const errors: string[] = [];
  const bobSaw: Message[] = [];

  beforeAll(async () => {
    // As `npm start` runs it: development, so the default site lets guests in and has the demo Lobby.
    t = await startTestServer({ env: { NODE_ENV: 'development' } });
    example = await startExample('vanilla-web/serve.mjs', { SYNCTALK_URL: t.url });
    // What CORS_ORIGINS does on a first start: the page's origin is one of the site's allowed origins.
    const site = await defaultSite(t);
    await t.server.deps.sites.update(site, { allowedOrigins: [...site.allowedOrigins, example.url] }, 'test');

    const user = await newUser(t, { displayName: 'Bob' });
    const client = createClient({ baseUrl: t.url });
    await client.auth.setSession(user.auth);
    lobbyId = (await client.rooms.list()).items.find((room) => room.title === 'Lobby')!.id;
    await client.rooms.join(lobbyId);
    bob = await client.connect();
    bob.on('message:new', (message) => bobSaw.push(message));
    await bob.joinRoom(lobbyId);

    browser = await launchBrowser();
    context = await newVisitor(browser);
    page = await context.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
  });
  afterAll(async () => {
    await browser?.close();
    bob?.close();
    await example?.stop();
    await t?.close();
  });

  const messages = () => page.locator('#messages li');

  it('serves the page, its one inline script allowed by hash, and the SDK build; nothing else', async () => {
    const res = await fetch(example.url);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/^script-src 'self' 'sha256-[\w+/]+=*'; object-src 'none'; base-uri 'none'$/);
    const html = await res.text();
    expect(html).toContain(`baseUrl: params.get('server') ?? '${t.url}'`);
    expect(html).toContain("import { createClient } from './synctalk.js';");
    expect(html.match(/<script\b/g)).toHaveLength(1);

    const sdk = await fetch(`${example.url}/synctalk.js`);
    expect(sdk.headers.get('content-type')).toMatch(/^text\/javascript/);
    const code = await sdk.text();
    expect(code).toMatch(/export\{[^}]*\bcreateClient\b/);
    expect(code).not.toMatch(/\bfrom\s*["'](?!\.)/); // self-contained: no bare imports left to resolve
    for (const path of ['/serve.mjs', '/../package.json', '/%2e%2e/README.md', '/README.md']) {
      expect((await fetch(`${example.url}${path}`)).status).toBe(404);
    }
  });

  it('signs in as a guest and opens the Lobby, live', async () => {
    await page.goto(example.url);
    await page.getByPlaceholder('Your name').fill('Ann');
    await screenshot(page, 'vanilla-web-sign-in');
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await expect.poll(() => page.locator('#room-title').textContent(), POLL).toBe('Lobby');
    await expect.poll(() => page.locator('#status').getAttribute('data-status'), POLL).toBe('connected');
    await expect.poll(() => page.locator('#composer input').isEnabled(), POLL).toBe(true);
    expect(await page.locator('#me').textContent()).toBe('Ann');
    expect(await page.locator('#rooms button[aria-current="true"]').textContent()).toBe('Lobby');
  });

  it('sends what reaches another client, and shows what that client sends, as text', async () => {
    const mine = 'Hello from the page <b>not bold</b>';
    await page.locator('#composer input').fill(mine);
    await page.locator('#composer input').press('Enter');
    await expect.poll(() => bobSaw.find((m) => m.text === mine)?.author.displayName, POLL).toBe('Ann');
    await expect.poll(() => page.locator('#messages li.mine .text').last().textContent(), POLL).toBe(mine);
    expect(await page.locator('#composer input').inputValue()).toBe('');

    const theirs = '<img src=x onerror="window.pwned=1">Hi Ann, from Node 안녕하세요';
    await bob.send(lobbyId, theirs);
    const last = messages().last();
    await expect.poll(() => last.locator('.text').textContent(), POLL).toBe(theirs);
    expect(await last.locator('.author').textContent()).toBe('Bob');
    expect(await last.evaluate((li) => li.classList.contains('mine'))).toBe(false);
    expect(await page.locator('#messages img, #messages b').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as { pwned?: number }).pwned)).toBeUndefined();

    await screenshot(page, 'vanilla-web-chat');
  });

  it('stays signed in across a reload and shows the conversation again', async () => {
    const before = await messages().locator('.text').allTextContents();
    await page.reload();
    await expect.poll(() => page.locator('#room-title').textContent(), POLL).toBe('Lobby');
    await expect.poll(() => messages().locator('.text').allTextContents(), POLL).toEqual(before);
    expect(await page.locator('#sign-in').isHidden()).toBe(true);
  });

  it('logged no error in the page', () => {
    expect(errors).toEqual([]);
  });
});
