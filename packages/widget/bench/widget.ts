/**
 * Widget benchmark: the built dist/widget.js in headless Chromium (Debian's, through playwright-core, launched
 * as the browser tests launch it) against a server started in this process on the embedded defaults (PGlite
 * in a temporary directory, in-memory shared state), with a room of --history messages.
 *
 *   npm run bench:widget [-- --runs 5] [--history 1000] [--live 1000]      (CHROMIUM_PATH: another binary)
 *
 * Every page load is a new browser context (a new visitor: empty cache and storage, its own renderer
 * process). The host page's own script, right before the `<script async>` tag, marks the time and watches
 * the DOM with mutation observers; each run measures in the page:
 *
 *   (a) on a first visit: from that script to the launcher visible in the widget's shadow root;
 *   (b) for a returning visitor (signed in once with `SyncTalk('identify', …)`, then a reload that resumes
 *       the stored session): from a click to 50 `[part~="message"]` elements, with the room fixed by
 *       `data-room` (a click on the launcher; the widget loads that room's history before it opens) and from
 *       the room list (a click on the room item; the history is fetched on the click);
 *   (c) the page's JS heap, after two forced garbage collections, once --live more messages from another
 *       user arrived live in the open room.
 *
 * The machine is shared, so each run also measures a baseline on the same host page: (a) a script of the
 * same size (functions that are parsed, never run) that inserts a button in a shadow root; (b) 50 messages
 * from REST rendered as 50 plain elements, fetched before the click or on it; (c) the bare host page. It
 * reports medians, absolute and against the baseline, and the targets as met or not (never failing on
 * them). Loopback only; every wait is bounded.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import type { AuthResponse, Room } from '@synctalk/sdk';
import { createUserToken } from '@synctalk/sdk/server';
import { loadConfig } from '../../server/src/config.js';
import { createServer, type SyncTalkServer } from '../../server/src/server.js';
import { launchBrowser } from '../test/browser/helpers/browser.js';

const TARGETS = { launcherMs: 50, roomMs: 300, heapMb: 10 };
const SHOWN = 50;
/** How long the widget may take to show the last of the live messages. */
const LIVE_TIMEOUT_MS = 15 * 60_000;
const MB = 1024 * 1024;

/** What one page load measured (ms from the page's time origin, bytes). */
interface Sample {
  /** (a) */
  launcherMs: number;
  /** (b) with the room fixed by data-room: its history is loaded before the click. */
  roomMs: number;
  /** (b) from the room list: a click on the room item, whose history is fetched on the click. */
  listRoomMs: number;
  /** (c) */
  heapBytes: number;
}

const log = (line: string) => console.log(line);

function positive(flag: string, value: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new Error(`${flag} must be a whole number from 1 to ${max}`);
  return n;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The host page's own script, placed right before the widget's tag: marks the moment, installs the loader
 * stub and watches the DOM (mutation observers, so the time is taken when the element is inserted, not at the
 * next poll). `__bench` holds what it saw; the benchmark reads it with `page.evaluate`.
 */
function hostScript(token: string | null): string {
  return `
window.__bench = { tag: performance.now(), launcher: null, clickAt: null, shown: null, live: 0, ready: null, busy: 0 };
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) { window.__bench.busy += e.duration; });
}).observe({ type: 'longtask' });
window.SyncTalk = window.SyncTalk || function () { (window.SyncTalk.q = window.SyncTalk.q || []).push(arguments); };
${token ? `SyncTalk('identify', { token: ${JSON.stringify(token)} });` : ''}
SyncTalk('on', 'message', function () { window.__bench.live += 1; });
SyncTalk('on', 'ready', function (info) { window.__bench.ready = { user: info.user ? info.user.displayName : null }; });
(function () {
  var b = window.__bench;
  var observers = [];
  // Stops watching (the live phase should not pay for the benchmark's observers).
  b.stop = function () { observers.forEach(function (o) { o.disconnect(); }); };
  var visible = function (el) {
    return el.checkVisibility ? el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) : el.getClientRects().length > 0;
  };
  var watch = function (root) {
    var check = function () {
      if (b.launcher === null) {
        var launcher = root.querySelector('button[part~="launcher"]');
        if (launcher && visible(launcher)) b.launcher = performance.now();
        else if (launcher) requestAnimationFrame(check);
      }
      if (b.clickAt !== null && b.shown === null && root.querySelectorAll('[part~="message"]').length >= ${SHOWN}) {
        b.shown = performance.now();
      }
    };
    var observer = new MutationObserver(check);
    observer.observe(root, { childList: true, subtree: true, attributes: true });
    observers.push(observer);
    check();
  };
  var found = null;
  var find = function () {
    if (found) return;
    var host = document.querySelector('synctalk-chat, bench-baseline');
    if (host && host.shadowRoot) { found = host; watch(host.shadowRoot); }
  };
  var top = new MutationObserver(find);
  top.observe(document.documentElement, { childList: true, subtree: true });
  observers.push(top);
  window.addEventListener('click', function (e) { if (b.clickAt === null) b.clickAt = e.timeStamp; }, true);
  find();
})();
`;
}

/**
 * The baseline: as many bytes as widget.js, mostly functions that are parsed but never run, then an element
 * with an open shadow root holding a launcher button and a room item. It fetches the last 50 messages at
 * start; a click on the launcher renders them as 50 elements, a click on the room item fetches them again
 * and renders them.
 */
function baselineScript(
  size: number,
  config: { server: string; site: string; room: string; token: string },
): string {
  const tail = `
var cfg = ${JSON.stringify(config)};
function latest() {
  return fetch(cfg.server + '/v1/rooms/' + cfg.room + '/messages?limit=${SHOWN}', {
    headers: { authorization: 'Bearer ' + cfg.token, 'x-synctalk-site': cfg.site },
  }).then(function (res) { return res.json(); });
}
class BenchBaseline extends HTMLElement {
  constructor() {
    super();
    var root = this.attachShadow({ mode: 'open' });
    var list = document.createElement('div');
    var show = function (page) {
      page.messages.forEach(function (m) {
        var el = document.createElement('div');
        el.setAttribute('part', 'message');
        el.textContent = m.author.displayName + ': ' + m.text;
        list.appendChild(el);
      });
    };
    var preloaded = latest();
    preloaded.then(function () { window.__bench.ready = { user: 'baseline' }; });
    var button = function (part, text, onclick) {
      var b = document.createElement('button');
      b.setAttribute('part', part);
      b.textContent = text;
      b.addEventListener('click', onclick);
      root.appendChild(b);
    };
    button('launcher', 'Chat', function () { preloaded.then(show); });
    button('room-item', 'Room', function () { list.textContent = ''; latest().then(show); });
    root.appendChild(list);
  }
}
customElements.define('bench-baseline', BenchBaseline);
document.body.appendChild(document.createElement('bench-baseline'));
})();`;
  let filler = '(function () {\n';
  for (let i = 0; filler.length + tail.length < size; i += 1) {
    filler += `function f${i}(a, b) { var c = a * ${i} + b; return c > ${i} ? f${i}(b, c - ${i}) : [a, b, c]; }\n`;
  }
  return filler + tail;
}

function page(body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Host page</title></head>
<body>
<h1>A host page</h1>
<p>Some content of the site that embeds the chat.</p>
${body}
</body></html>`;
}

interface HostFile {
  type: string;
  body: string | Buffer;
}

interface HostPages {
  origin: string;
  close(): Promise<void>;
}

/** The "customer's site" on a free loopback port: whatever `files` answers for a path, else 404. */
async function startHost(files: (path: string) => HostFile | undefined): Promise<HostPages> {
  const server: Server = createHttpServer((req, res) => {
    const file = files(new URL(req.url ?? '/', 'http://host').pathname);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
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

async function json<T>(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown },
) {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  if (res.status >= 300)
    throw new Error(`${init.method ?? 'GET'} ${url}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Sends `count` messages into `room`, four at a time; resolves with the highest seq stored. */
async function send(url: string, headers: Record<string, string>, room: string, count: number, tag: string) {
  let next = 0;
  let last = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < count) {
        const i = next++;
        const { message } = await json<{ message: { seq: string } }>(`${url}/v1/rooms/${room}/messages`, {
          method: 'POST',
          headers,
          body: {
            clientMsgId: `${tag}-${i}`,
            text: `Message ${i} of ${tag}: the quick brown fox jumps over the lazy dog`,
          },
        });
        last = Math.max(last, Number(message.seq));
      }
    }),
  );
  return last;
}

/** The page's JS heap after two forced garbage collections. */
async function heapAfterGc(page: Page): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    const { usedSize } = await cdp.send('Runtime.getHeapUsage');
    return usedSize;
  } finally {
    await cdp.detach();
  }
}

async function waitFor(page: Page, what: string, predicate: string, timeout = 30_000): Promise<void> {
  try {
    await page.waitForFunction(predicate, undefined, { timeout, polling: 20 });
  } catch (error) {
    throw new Error(`${what}: not within ${timeout / 1000} s (${(error as Error).message.split('\n')[0]})`);
  }
}

/** Clicks `selector` and times it until 50 messages are shown (in the page, from the click event). */
async function clickToMessages(page: Page, selector: string): Promise<number> {
  await page.evaluate(() => {
    const b = (window as unknown as { __bench: { clickAt: number | null; shown: number | null } }).__bench;
    b.clickAt = null;
    b.shown = null;
  });
  await page.locator(selector).first().click();
  await waitFor(
    page,
    `${SHOWN} messages shown after a click on ${selector}`,
    'window.__bench.shown !== null',
  );
  return page.evaluate(() => {
    const b = (window as unknown as { __bench: { clickAt: number; shown: number } }).__bench;
    return b.shown - b.clickAt;
  });
}

/** (a) on a first visit (new context: empty cache and storage): script tag to launcher visible. */
async function launcherTime(browser: Browser, url: string): Promise<number> {
  return withPage(browser, async (page) => {
    await page.goto(url);
    await waitFor(page, 'the launcher', 'window.__bench.launcher !== null');
    return page.evaluate(() => {
      const b = (window as unknown as { __bench: { tag: number; launcher: number } }).__bench;
      return b.launcher - b.tag;
    });
  });
}

/** Runs `fn` on a page of a new browser context (a new visitor, in a renderer process of its own). */
async function withPage<T>(browser: Browser, fn: (page: Page) => Promise<T>): Promise<T> {
  const context = await browser.newContext({ viewport: { width: 1000, height: 760 }, locale: 'en-US' });
  try {
    return await fn(await context.newPage());
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '5' },
      history: { type: 'string', default: '1000' },
      live: { type: 'string', default: '1000' },
    },
  });
  const runs = positive('--runs', values.runs, 100);
  const history = Math.max(SHOWN, positive('--history', values.history, 1_000_000));
  const live = positive('--live', values.live, 100_000);
  const widgetFile = new URL('../dist/widget.js', import.meta.url);
  if (!existsSync(widgetFile))
    throw new Error('dist/widget.js is missing: build first (npm run build -w @synctalk/widget)');
  const widgetJs = readFileSync(widgetFile);

  const dataDir = mkdtempSync(join(tmpdir(), 'synctalk-bench-widget-'));
  let server: SyncTalkServer | undefined;
  let host: HostPages | undefined;
  let browser: Browser | undefined;
  try {
    server = await createServer(
      loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        PORT: '0',
        SYNCTALK_DATA_DIR: dataDir,
        JWT_SECRET: randomBytes(32).toString('base64url'),
        MESSAGE_RATE_LIMIT: '100000',
      }),
    );
    const { url: chatUrl } = await server.listen(0, '127.0.0.1');

    // widget.js as it was built when the benchmark started (a rebuild meanwhile does not change the runs),
    // served by the host page's server; `data-server` points it at the chat server.
    const files = new Map<string, HostFile>();
    // host.js is made per request: while `identifyToken` is set, it signs the visitor in with it.
    let identifyToken: string | null = null;
    host = await startHost((path) => {
      if (path === '/widget.js') return { type: 'text/javascript', body: widgetJs };
      if (path === '/host.js') return { type: 'text/javascript', body: hostScript(identifyToken) };
      return files.get(path);
    });

    const { site, secret } = await server.deps.sites.create({
      name: 'Widget bench',
      allowedOrigins: [host.origin],
    });
    const siteHeaders = { 'x-synctalk-site': site.publicId };
    const siteToken = (userId: string, name: string) =>
      createUserToken({ siteId: site.publicId, siteSecret: secret, userId, name, expiresIn: 60 });
    const signIn = (userId: string, name: string) =>
      json<AuthResponse>(`${chatUrl}/v1/auth/site-token`, {
        method: 'POST',
        headers: siteHeaders,
        body: { token: siteToken(userId, name) },
      });
    const as = (auth: AuthResponse) => ({ ...siteHeaders, authorization: `Bearer ${auth.accessToken}` });
    const writer = await signIn('bench-writer', 'Writer');
    const reader = await signIn('bench-reader', 'Reader');
    const room = await json<Room>(`${chatUrl}/v1/rooms`, {
      method: 'POST',
      headers: as(writer),
      body: { title: 'Widget bench', visibility: 'public' },
    });
    await json(`${chatUrl}/v1/rooms/${room.id}/join`, { method: 'POST', headers: as(reader) });
    log(`seeding ${history.toLocaleString('en')} messages`);
    const started = performance.now();
    await send(chatUrl, as(writer), room.id, history, 'history');
    log(`  in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const HOST_JS = '<script src="/host.js"></script>';
    const widgetTag = (attrs: string) =>
      `<script async src="/widget.js" data-site="${site.publicId}" data-server="${chatUrl}" ` +
      `data-theme="light" data-locale="en" ${attrs}></script>`;
    const html = (type: string, body: string): HostFile => ({ type, body });
    files.set(
      '/widget-room.html',
      html('text/html', page(`${HOST_JS}\n${widgetTag(`data-room="${room.id}"`)}`)),
    );
    files.set('/widget-list.html', html('text/html', page(`${HOST_JS}\n${widgetTag('')}`)));
    files.set(
      '/baseline.html',
      html('text/html', page(`${HOST_JS}\n<script async src="/baseline.js"></script>`)),
    );
    files.set('/bare.html', html('text/html', page(HOST_JS)));
    files.set(
      '/baseline.js',
      html(
        'text/javascript',
        baselineScript(widgetJs.byteLength, {
          server: chatUrl,
          site: site.publicId,
          room: room.id,
          token: reader.accessToken,
        }),
      ),
    );

    const chrome = await launchBrowser();
    browser = chrome;
    const origin = host.origin;
    log(
      `${runs} runs; widget.js ${widgetJs.byteLength.toLocaleString('en')} B; ` +
        `room of ${history.toLocaleString('en')} messages, ${live.toLocaleString('en')} live per run`,
    );
    const widget: Sample[] = [];
    const baseline: Sample[] = [];
    const liveStats: { sendSeconds: number; shownSeconds: number; busySeconds: number; events: number }[] =
      [];
    /**
     * A returning visitor: the first load identifies them with a site token and shows `shownSelector` in
     * the opened panel; the reload resumes the stored session, and `ready` comes once the rooms are loaded.
     */
    const returning = async (page: Page, path: string, shownSelector: string) => {
      identifyToken = siteToken('bench-reader', 'Reader');
      try {
        await page.goto(`${origin}${path}`);
        await page.locator('button[part~="launcher"]').click();
        await page.locator(shownSelector).first().waitFor({ timeout: 30_000 });
      } finally {
        identifyToken = null;
      }
      await page.reload();
      await waitFor(page, 'the widget resumed the session', 'window.__bench.ready?.user != null');
    };
    const measureWidget = async (run: number): Promise<Sample> => {
      const launcherMs = await launcherTime(chrome, `${origin}/widget-room.html`);
      const fixed = await withPage(chrome, async (page) => {
        await returning(page, '/widget-room.html', '[part~="room"]');
        const roomMs = await clickToMessages(page, 'button[part~="launcher"]');
        await page.evaluate(() => (window as unknown as { __bench: { stop(): void } }).__bench.stop());
        const counters = () =>
          page.evaluate(() => {
            const b = (window as unknown as { __bench: { live: number; busy: number } }).__bench;
            return { events: b.live, busy: b.busy };
          });
        const before = await counters();
        const sent = performance.now();
        const last = await send(chatUrl, as(writer), room.id, live, `live-${run}`);
        const sendSeconds = (performance.now() - sent) / 1000;
        // Arrived: the widget shows the last one (its seq is the highest; messages may come in any order).
        await waitFor(
          page,
          `${live} live messages arrived`,
          `!!document.querySelector('synctalk-chat').shadowRoot.querySelector('[part~="message"][data-seq="${last}"]')`,
          LIVE_TIMEOUT_MS,
        );
        const after = await counters();
        liveStats.push({
          sendSeconds,
          shownSeconds: (performance.now() - sent) / 1000,
          busySeconds: (after.busy - before.busy) / 1000,
          events: after.events - before.events,
        });
        return { roomMs, heapBytes: await heapAfterGc(page) };
      });
      const listRoomMs = await withPage(chrome, async (page) => {
        await returning(page, '/widget-list.html', 'button[part~="room-item"]');
        await page.locator('button[part~="launcher"]').click();
        return clickToMessages(page, 'button[part~="room-item"]');
      });
      return { launcherMs, ...fixed, listRoomMs };
    };
    const measureBaseline = async (): Promise<Sample> => {
      const launcherMs = await launcherTime(chrome, `${origin}/baseline.html`);
      const clicks = await withPage(chrome, async (page) => {
        await page.goto(`${origin}/baseline.html`);
        await waitFor(page, 'the baseline preloaded its messages', 'window.__bench.ready !== null');
        const roomMs = await clickToMessages(page, 'button[part~="launcher"]');
        return { roomMs, listRoomMs: await clickToMessages(page, 'button[part~="room-item"]') };
      });
      const heapBytes = await withPage(chrome, async (page) => {
        await page.goto(`${origin}/bare.html`);
        return heapAfterGc(page);
      });
      return { launcherMs, ...clicks, heapBytes };
    };

    for (let run = 1; run <= runs; run += 1) {
      const w = await measureWidget(run);
      const b = await measureBaseline();
      widget.push(w);
      baseline.push(b);
      const ms = (n: number) => n.toFixed(1);
      log(
        `  run ${run}: (a) ${ms(w.launcherMs)} ms (baseline ${ms(b.launcherMs)})  ` +
          `(b) ${ms(w.roomMs)} ms (${ms(b.roomMs)}), from the list ${ms(w.listRoomMs)} ms (${ms(b.listRoomMs)})  ` +
          `(c) ${(w.heapBytes / MB).toFixed(2)} MB (bare page ${(b.heapBytes / MB).toFixed(2)})`,
      );
    }

    const cpu = cpus();
    const version = chrome.version();
    log(
      `\nNode ${process.version}, Chromium ${version}, ${cpu.length} CPUs (${cpu[0]?.model ?? '?'}); medians of ${runs} runs\n`,
    );
    const m = (xs: Sample[], k: keyof Sample) => median(xs.map((x) => x[k]));
    const rows = [
      ['(a) script tag → launcher visible', 'launcherMs', TARGETS.launcherMs],
      [`(b) launcher click → ${SHOWN} messages (data-room)`, 'roomMs', TARGETS.roomMs],
      [`(b) room item click → ${SHOWN} messages (room list)`, 'listRoomMs', TARGETS.roomMs],
      [`(c) JS heap after ${live.toLocaleString('en')} live messages`, 'heapBytes', TARGETS.heapMb],
    ] as const;
    log('| measure | widget | baseline | widget / baseline | widget − baseline | target | |');
    log('| --- | ---: | ---: | ---: | ---: | ---: | --- |');
    for (const [name, key, target] of rows) {
      const [unit, scale, digits] = key === 'heapBytes' ? ['MB', MB, 2] : ['ms', 1, 1];
      const w = m(widget, key) / scale;
      const b = m(baseline, key) / scale;
      log(
        `| ${name} | ${w.toFixed(digits)} ${unit} | ${b.toFixed(digits)} ${unit} | ${(w / b).toFixed(1)}× | ` +
          `${(w - b).toFixed(digits)} ${unit} | < ${target} ${unit} | ${w < target ? 'met' : 'NOT met'} |`,
      );
    }
    log(
      `\nbaselines, on the same host page: (a) a script of the same size (trivial code) inserting a button; ` +
        `(b) ${SHOWN} messages rendered as ${SHOWN} elements, fetched before the click (data-room: the widget ` +
        `also loads a fixed room's history before it opens) or on it (room list); (c) the bare host page`,
    );
    const lm = (k: keyof (typeof liveStats)[number]) => median(liveStats.map((x) => x[k]));
    log(
      `(c) live phase, medians: ${live.toLocaleString('en')} messages sent in ${lm('sendSeconds').toFixed(1)} s ` +
        `(REST, 4 at a time); the widget showed the last one ${lm('shownSeconds').toFixed(1)} s after the first ` +
        `was sent, its main thread ${lm('busySeconds').toFixed(1)} s in long tasks (> 50 ms) meanwhile; ` +
        `${lm('events')} "message" events`,
    );
  } finally {
    await browser?.close();
    await host?.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench:widget: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
