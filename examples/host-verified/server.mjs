/* global process, console, URL, Buffer -- Node.js globals (this example is plain JavaScript) */
/**
 * A host site whose visitors are signed in to the chat silently. The site has its own sign-in (here: any
 * name, kept in a signed cookie; a real site uses its own session). For the signed-in visitor,
 * `GET /chat-token` mints a short-lived SyncTalk user token with the site secret; the page's script hands it
 * to the widget with `SyncTalk('identify', { token })`, and calls `SyncTalk('logout')` on sign-out.
 *
 *   SYNCTALK_SITE_ID=st_… SYNCTALK_SITE_SECRET=sts_… node examples/host-verified/server.mjs
 *
 * SYNCTALK_URL (default http://127.0.0.1:3000) is the SyncTalk server, PORT (default 4000; 0 picks a free
 * one) this site's port. Or from code: `startHostSite({ port: 0, siteId, siteSecret, synctalkUrl })`.
 * The secret never leaves this process: the browser only sees single-use tokens that expire in a minute.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { createUserToken } from '@synctalk/sdk/server';

const COOKIE = 'host_session';

/** The page. Its script is a same-origin file, so it works under a CSP without 'unsafe-inline'. */
function page({ synctalkUrl, siteId }) {
  const attr = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>My shop</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/style.css">
</head>
<body>
  <header>
    <strong>My shop</strong>
    <form id="sign-in" hidden><input name="name" placeholder="Your name" maxlength="64" required> <button>Sign in</button></form>
    <span id="account" hidden><span id="who"></span> <button id="sign-out" type="button">Sign out</button></span>
  </header>
  <main>
    <h1>Signed in here, signed in to the chat</h1>
    <p>Sign in to the shop and open the chat: you are already in it, under your shop name, with no second
      sign-in. Sign out and the chat signs out too.</p>
    <p id="status"></p>
  </main>
  <script src="/app.js"></script>
  <script async src="${attr(synctalkUrl)}/widget.js" data-site="${attr(siteId)}"></script>
</body>
</html>
`;
}

/**
 * The name a visitor signs in with. JSON only: a form on another site cannot post JSON without a CORS
 * preflight, which this site never answers, so no one can sign a visitor in behind their back.
 */
async function readName(req) {
  if (!req.headers['content-type']?.startsWith('application/json')) return '';
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) return '';
  }
  try {
    return String(JSON.parse(body).name ?? '')
      .trim()
      .slice(0, 64);
  } catch {
    return '';
  }
}

/**
 * Starts the site. Resolves with its URL once it listens, and `close()`.
 * @param {{ siteId: string, siteSecret: string, synctalkUrl?: string, port?: number, host?: string }} options
 */
export async function startHostSite({
  siteId,
  siteSecret,
  synctalkUrl = 'http://127.0.0.1:3000',
  port = 4000,
  host = '127.0.0.1',
}) {
  if (!siteId || !siteSecret) throw new Error('siteId and siteSecret are required');
  synctalkUrl = synctalkUrl.replace(/\/+$/, '');
  const html = page({ synctalkUrl, siteId });
  const files = {
    '/app.js': ['app.js', 'text/javascript; charset=utf-8'],
    '/style.css': ['style.css', 'text/css; charset=utf-8'],
  };

  // The site's own session: the visitor's name, signed with a key that lives as long as this process.
  const key = randomBytes(32);
  const sign = (value) => createHmac('sha256', key).update(value).digest('base64url');
  const sessionCookie = (name) => {
    const value = Buffer.from(name).toString('base64url');
    return `${value}.${sign(value)}`;
  };
  const visitor = (req) => {
    const match = new RegExp(`(?:^|;\\s*)${COOKIE}=([\\w-]+)\\.([\\w-]+)`).exec(req.headers.cookie ?? '');
    if (!match) return undefined;
    const [, value, mac] = match;
    const expected = Buffer.from(sign(value));
    if (mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), expected)) return undefined;
    const name = Buffer.from(value, 'base64url').toString();
    // The id the site knows this visitor by (a real site: its user id). Here the same name, in any case, is
    // the same visitor, whatever its script: `김민지` and `Ada` get ids of their own.
    const id = createHash('sha256').update(name.normalize('NFC').toLowerCase()).digest('base64url');
    return { id: `host-${id.slice(0, 22)}`, name };
  };

  const json = (res, status, body, headers = {}) =>
    res
      .writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers })
      .end(JSON.stringify(body));

  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method} ${pathname}`;
    if (route === 'GET /') {
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': `script-src 'self' ${synctalkUrl}; object-src 'none'; base-uri 'none'`,
      });
      res.end(html);
    } else if (req.method === 'GET' && files[pathname]) {
      const [name, type] = files[pathname];
      res.writeHead(200, { 'Content-Type': type }).end(await readFile(new URL(name, import.meta.url)));
    } else if (route === 'POST /login') {
      const name = await readName(req);
      if (!name) return json(res, 400, { error: 'send JSON { "name": "…" }' });
      const cookie = `${COOKIE}=${sessionCookie(name)}; HttpOnly; SameSite=Lax; Path=/`;
      json(res, 200, { name }, { 'Set-Cookie': cookie });
    } else if (route === 'POST /logout') {
      json(res, 200, {}, { 'Set-Cookie': `${COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0` });
    } else if (route === 'GET /chat-token') {
      const user = visitor(req);
      if (!user) return json(res, 401, { error: 'not signed in' });
      // Exchanged by the widget right away: a minute is plenty, and each token works once.
      const token = createUserToken({ siteId, siteSecret, userId: user.id, name: user.name, expiresIn: 60 });
      json(res, 200, { token, user });
    } else {
      json(res, 404, { error: 'not found' });
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const url = `http://${host}:${server.address().port}`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const siteId = process.env.SYNCTALK_SITE_ID;
  const siteSecret = process.env.SYNCTALK_SITE_SECRET;
  if (!siteId || !siteSecret) {
    console.error('Set SYNCTALK_SITE_ID and SYNCTALK_SITE_SECRET (the site public id and signing secret).');
    process.exit(1);
  }
  const synctalkUrl = process.env.SYNCTALK_URL ?? 'http://127.0.0.1:3000';
  const { url } = await startHostSite({
    siteId,
    siteSecret,
    synctalkUrl,
    port: Number(process.env.PORT ?? 4000),
  });
  console.log(`host site on ${url} (SyncTalk at ${synctalkUrl}, site ${siteId})`);
}
