/* global process, console, URL -- Node.js globals (this example is plain JavaScript) */
/**
 * A static server for the page, nothing more: `/` is index.html and `/synctalk.js` the SDK's browser build
 * (packages/sdk/dist/browser/synctalk.js, made by `npm run build -w @synctalk/sdk`) with the chunks it loads
 * (`connect()` loads the realtime one). Any static server works the same with the files of dist/browser
 * copied next to index.html. For convenience this one points the page at
 * SYNCTALK_URL when set (the page's default is http://127.0.0.1:3000; `?server=` overrides both).
 *
 *   node examples/vanilla-web/serve.mjs      # http://127.0.0.1:4000 (PORT to change it; 0: a free port)
 *
 * The page's one script is inline, so the Content-Security-Policy it sends allows exactly that script (by
 * its hash) and same-origin files: no other inline script, no `eval`.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

const PORT = Number(process.env.PORT ?? 4000);
const SYNCTALK_URL = (process.env.SYNCTALK_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const SDK = new URL('../../packages/sdk/dist/browser/', import.meta.url);
/** The browser build's files by name: synctalk.js, its chunks and their source maps. */
const SDK_FILE = /^\/([\w-]+\.js)(\.map)?$/;

if (!existsSync(new URL('synctalk.js', SDK))) {
  console.error('The SDK browser build is missing: npm run build -w @synctalk/sdk');
  process.exit(1);
}

/** index.html pointed at SYNCTALK_URL, and the CSP that allows its inline module script. */
async function page() {
  const html = (await readFile(new URL('index.html', import.meta.url), 'utf8')).replaceAll(
    'http://127.0.0.1:3000',
    SYNCTALK_URL,
  );
  const scripts = [...html.matchAll(/<script type="module">([\s\S]*?)<\/script>/g)].map(
    ([, code]) => `'sha256-${createHash('sha256').update(code).digest('base64')}'`,
  );
  const csp = `script-src 'self' ${scripts.join(' ')}; object-src 'none'; base-uri 'none'`;
  return { html, csp };
}

async function handle(req, res) {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  if (req.method !== 'GET') {
    res.writeHead(405, { 'Content-Type': 'text/plain', Allow: 'GET' }).end('method not allowed');
  } else if (pathname === '/' || pathname === '/index.html') {
    const { html, csp } = await page();
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': csp,
    });
    res.end(html);
  } else if (SDK_FILE.test(pathname) && existsSync(new URL(pathname.slice(1), SDK))) {
    const type = pathname.endsWith('.map') ? 'application/json' : 'text/javascript; charset=utf-8';
    const body = await readFile(new URL(pathname.slice(1), SDK));
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-cache' }).end(body);
  } else {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  }
}

const server = createServer((req, res) =>
  handle(req, res).catch((error) => {
    console.error(error);
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
    res.end('server error');
  }),
);
server.listen(PORT, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  console.log(`vanilla-web example on ${url} (SyncTalk at ${SYNCTALK_URL})`);
});
