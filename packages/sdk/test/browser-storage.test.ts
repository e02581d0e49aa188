/**
 * The browser storage adapters in a real browser (Debian's Chromium through playwright-core, CHROMIUM_PATH to
 * override): `indexedDbStorage()` on real IndexedDB and `localStorageAdapter()` on `localStorage`, across
 * reloads and tabs of one origin. The page loads the adapters' own modules, transpiled from source. Without
 * Chromium the suite is skipped with the reason in its name; with SYNCTALK_REQUIRE_SERVICES=1 it fails.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as IndexedDbAdapters from '../src/client/indexeddb-storage.js';
import type * as WebStorageAdapters from '../src/client/storage.js';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const REQUIRED = ['1', 'true', 'yes'].includes(process.env.SYNCTALK_REQUIRE_SERVICES ?? '');
const missing = existsSync(CHROMIUM_PATH) ? undefined : `${CHROMIUM_PATH} is missing`;
const suite = missing && !REQUIRED ? describe.skip : describe;
const name = missing ? ` [skipped: needs Chromium: ${missing}]` : '';

const SOURCES = new URL('../src/client/', import.meta.url);

/** The adapters' modules as the page loads them: the TypeScript sources, transpiled (what a bundler does). */
function adapterModule(file: 'storage' | 'indexeddb-storage'): string {
  const source = readFileSync(fileURLToPath(new URL(`${file}.ts`, SOURCES)), 'utf8');
  return ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.ESNext },
  }).outputText;
}

declare const SyncTalkStorage: typeof WebStorageAdapters & typeof IndexedDbAdapters;

suite(`browser storage adapters${name}`, () => {
  let server: Server;
  let origin: string;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    if (missing) throw new Error(`SYNCTALK_REQUIRE_SERVICES=1 but ${missing}`);
    const modules = new Map([
      ['/storage.js', adapterModule('storage')],
      ['/indexeddb-storage.js', adapterModule('indexeddb-storage')],
    ]);
    server = createServer((req, res) => {
      const module = modules.get(req.url ?? '');
      if (module) res.writeHead(200, { 'content-type': 'text/javascript' }).end(module);
      else res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
      timeout: 30_000,
    });
    context = await browser.newContext();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => server?.close(resolve));
  });

  /** A tab of the origin with the adapters loaded. */
  async function tab(page?: Page): Promise<Page> {
    const p = page ?? (await context.newPage());
    await p.goto(`${origin}/`);
    await p.addScriptTag({
      type: 'module',
      content: `import * as storage from '/storage.js';
                import * as indexedDb from '/indexeddb-storage.js';
                window.SyncTalkStorage = { ...storage, ...indexedDb };`,
    });
    await p.waitForFunction(() => 'SyncTalkStorage' in window);
    return p;
  }

  it('indexedDbStorage keeps values across reloads and tabs, per database', async () => {
    const page = await tab();
    expect(
      await page.evaluate(async () => {
        const storage = SyncTalkStorage.indexedDbStorage();
        const before = await storage.get('outbox');
        await storage.set('outbox', '{"sends":[1]}');
        await storage.set('rooms', '{"rooms":{}}');
        await storage.set('outbox', '{"sends":[1,2]}');
        await storage.delete('rooms');
        await storage.delete('never-set');
        const other = SyncTalkStorage.indexedDbStorage({ name: 'other-app' });
        await other.set('outbox', 'theirs');
        return [before, await storage.get('outbox'), await storage.get('rooms'), await other.get('outbox')];
      }),
    ).toEqual([null, '{"sends":[1,2]}', null, 'theirs']);

    await tab(page); // a reload
    const second = await tab(); // and another tab
    for (const p of [page, second]) {
      expect(
        await p.evaluate(async () => [
          await SyncTalkStorage.indexedDbStorage().get('outbox'),
          await SyncTalkStorage.indexedDbStorage({ name: 'other-app' }).get('outbox'),
        ]),
      ).toEqual(['{"sends":[1,2]}', 'theirs']);
    }
    // A write in one tab is read in the other.
    await second.evaluate(() => SyncTalkStorage.indexedDbStorage().set('outbox', 'from the second tab'));
    expect(await page.evaluate(() => SyncTalkStorage.indexedDbStorage().get('outbox'))).toBe(
      'from the second tab',
    );
    // The database is one object store of strings, opened with the documented name.
    expect(
      await page.evaluate(
        () =>
          new Promise<string[]>((resolve) => {
            const request = indexedDB.open('synctalk');
            request.onsuccess = () => {
              resolve([...request.result.objectStoreNames]);
              request.result.close();
            };
          }),
      ),
    ).toEqual(['kv']);
  });

  it('localStorageAdapter keeps values in localStorage under its prefix, across reloads', async () => {
    const page = await tab();
    await page.evaluate(async () => {
      await SyncTalkStorage.localStorageAdapter().set('outbox', 'mine');
      await SyncTalkStorage.localStorageAdapter({ prefix: 'app/' }).set('outbox', 'prefixed');
      await SyncTalkStorage.localStorageAdapter({ storage: sessionStorage }).set('outbox', 'session');
    });
    await tab(page);
    expect(
      await page.evaluate(async () => [
        localStorage.getItem('synctalk:outbox'),
        localStorage.getItem('app/outbox'),
        await SyncTalkStorage.localStorageAdapter().get('outbox'),
        await SyncTalkStorage.localStorageAdapter({ storage: sessionStorage }).get('outbox'),
        await SyncTalkStorage.localStorageAdapter().get('missing'),
      ]),
    ).toEqual(['mine', 'prefixed', 'mine', 'session', null]);
    await page.evaluate(() => SyncTalkStorage.localStorageAdapter().delete('outbox'));
    expect(await page.evaluate(() => localStorage.getItem('synctalk:outbox'))).toBeNull();
  });
});
