/**
 * The SDK's no-bundler browser build (`dist/browser/synctalk.js`, as examples/vanilla-web loads it) works on a
 * page whose older scripts left enumerable junk on `Object.prototype` and `Array.prototype`: it loads, signs a
 * guest in, connects and chats. esbuild's namespace helper used to walk that junk with `for…in` and throw
 * while the module loaded (build/own-keys-export.ts).
 */
import { existsSync } from 'node:fs';
import { createClient, type Connection, type Message } from '@synctalk/sdk';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchBrowser, newVisitor } from '../../widget/test/browser/helpers/browser.js';
import { testEnv } from './helpers/env.js';
import { startExample, type RunningExample } from './helpers/example.js';
import { defaultSite, newUser } from './helpers/factories.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const POLL = { timeout: 15_000, interval: 100 };
const chromium = existsSync(CHROMIUM_PATH);

describe.skipIf(!chromium && !testEnv.requireServices)('sdk browser build on a polluted page', () => {
  let t: TestServer;
  let example: RunningExample;
  let browser: Browser;
  let lobbyId: string;
  let bob: Connection;
  const bobSaw: Message[] = [];

  beforeAll(async () => {
    if (!chromium) throw new Error(`SYNCTALK_REQUIRE_SERVICES=1 but ${CHROMIUM_PATH} is missing`);
    t = await startTestServer({ env: { NODE_ENV: 'development' } });
    example = await startExample('vanilla-web/serve.mjs', { SYNCTALK_URL: t.url });
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
  });
  afterAll(async () => {
    await browser?.close();
    bob?.close();
    await example?.stop();
    await t?.close();
  });

  it('loads, signs a guest in and chats despite enumerable junk on the built-in prototypes', async () => {
    const context = await newVisitor(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    // What a page's old scripts do, before any script of the page runs.
    await page.addInitScript(() => {
      (Object.prototype as Record<string, unknown>).polluted = 'yes';
      (Array.prototype as unknown as Record<string, unknown>).remove = function () {};
    });
    await page.goto(example.url);
    // The junk is there: every object and array of the page inherits it, enumerably.
    expect(
      await page.evaluate(() => {
        const keys: string[] = [];
        for (const key in {}) keys.push(key);
        for (const key in []) keys.push(key);
        return keys;
      }),
    ).toEqual(['polluted', 'remove', 'polluted']); // an array's own prototype's keys come first

    await page.getByPlaceholder('Your name').fill('Cleo');
    await page.getByRole('button', { name: 'Join', exact: true }).click();
    await expect.poll(() => page.locator('#room-title').textContent(), POLL).toBe('Lobby');
    await expect.poll(() => page.locator('#status').getAttribute('data-status'), POLL).toBe('connected');
    await page.locator('#composer input').fill('Hello from an old site');
    await page.locator('#composer input').press('Enter');
    await expect
      .poll(() => bobSaw.find((m) => m.text === 'Hello from an old site')?.author.displayName, POLL)
      .toBe('Cleo');
    await bob.send(lobbyId, 'Welcome, Cleo');
    await expect
      .poll(() => page.locator('#messages li .text').last().textContent(), POLL)
      .toBe('Welcome, Cleo');
    expect(errors).toEqual([]);
    await context.close();
  });
});
