/* global process, console, fetch, URL -- Node.js globals (this example is plain JavaScript) */
/**
 * A static server for this folder, nothing more: any static server works the same once the pages name your
 * site. For convenience this one fills the placeholders in the HTML as it serves it:
 *
 *   st_YOUR_SITE_ID         → SYNCTALK_SITE_ID, else the default site's id from GET /v1/site/public
 *   http://127.0.0.1:3000   → SYNCTALK_URL, when set
 *
 *   node examples/script-tag/serve.mjs      # http://127.0.0.1:4000 (PORT to change it; 0: a free port)
 *
 * The pages carry no inline script, so it sends a Content-Security-Policy that allows scripts only from
 * this origin and the SyncTalk server.
 */
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';

const PORT = Number(process.env.PORT ?? 4000);
const SYNCTALK_URL = (process.env.SYNCTALK_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const FILES = {
  '/': ['index.html', 'text/html; charset=utf-8'],
  '/index.html': ['index.html', 'text/html; charset=utf-8'],
  '/inline.html': ['inline.html', 'text/html; charset=utf-8'],
  '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
  '/inline.js': ['inline.js', 'text/javascript; charset=utf-8'],
  '/style.css': ['style.css', 'text/css; charset=utf-8'],
};

let siteId = process.env.SYNCTALK_SITE_ID;

/** The site the pages embed: SYNCTALK_SITE_ID, else asked once from SyncTalk (its default site). */
async function resolveSiteId() {
  if (siteId) return siteId;
  try {
    const res = await fetch(`${SYNCTALK_URL}/v1/site/public`);
    if (res.ok) siteId = (await res.json()).publicId;
    else console.warn(`GET ${SYNCTALK_URL}/v1/site/public answered ${res.status}`);
  } catch (error) {
    console.warn(`SyncTalk is not reachable at ${SYNCTALK_URL} (${error.message}); is it running?`);
  }
  return siteId ?? 'st_YOUR_SITE_ID';
}

const server = createServer(async (req, res) => {
  const file = FILES[new URL(req.url ?? '/', 'http://localhost').pathname];
  if (req.method !== 'GET' || !file) {
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    return;
  }
  const [name, type] = file;
  let body = await readFile(new URL(name, import.meta.url), 'utf8');
  if (name.endsWith('.html')) {
    body = body
      .replaceAll('st_YOUR_SITE_ID', await resolveSiteId())
      .replaceAll('http://127.0.0.1:3000', SYNCTALK_URL);
  }
  res.writeHead(200, {
    'Content-Type': type,
    'Cache-Control': 'no-store',
    'Content-Security-Policy': `script-src 'self' ${SYNCTALK_URL}; object-src 'none'; base-uri 'none'`,
  });
  res.end(body);
});
server.listen(PORT, '127.0.0.1', () => {
  const url = `http://127.0.0.1:${server.address().port}`;
  console.log(`script-tag example on ${url} (SyncTalk at ${SYNCTALK_URL})`);
});
