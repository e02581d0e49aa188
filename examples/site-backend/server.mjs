/* global process, console, URL, URLSearchParams -- Node.js globals (this example is plain JavaScript) */
/**
 * A site's backend, in miniature: it "knows" who its visitor is (here: whoever they say they are, via a
 * cookie — a real site uses its own session), mints a SyncTalk user token for them with the site secret,
 * and serves a page that exchanges that token for a SyncTalk session.
 *
 *   SYNCTALK_SITE_ID=st_… SYNCTALK_SITE_SECRET=sts_… node examples/site-backend/server.mjs
 *
 * The secret never leaves this process; the browser only ever sees short-lived, single-use tokens.
 */
import { createServer } from 'node:http';
import { createUserToken } from '@synctalk/sdk/server';

const PORT = Number(process.env.PORT ?? 4000);
const SYNCTALK_URL = process.env.SYNCTALK_URL ?? 'http://127.0.0.1:3000';
const SITE_ID = process.env.SYNCTALK_SITE_ID;
const SITE_SECRET = process.env.SYNCTALK_SITE_SECRET;
if (!SITE_ID || !SITE_SECRET) {
  console.error('Set SYNCTALK_SITE_ID and SYNCTALK_SITE_SECRET (the site public id and signing secret).');
  process.exit(1);
}

/** Stand-in for the site's own session: the `demo_user` cookie. */
function currentUser(req) {
  const match = /(?:^|;\s*)demo_user=([^;]+)/.exec(req.headers.cookie ?? '');
  if (!match) return undefined;
  const name = decodeURIComponent(match[1]);
  return { id: `demo-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`, name };
}

const page = `<!doctype html>
<html lang="en"><meta charset="utf-8"><title>Site backend example</title>
<body style="font:16px system-ui;max-width:40rem;margin:2rem auto">
<h1>My shop</h1>
<form method="post" action="/login"><input name="name" placeholder="Your name" required> <button>Sign in to the shop</button></form>
<p><button id="chat">Connect to chat</button></p>
<pre id="out"></pre>
<script type="module">
  const out = document.getElementById('out');
  document.getElementById('chat').onclick = async () => {
    // 1. Our own backend vouches for the signed-in visitor.
    const mint = await fetch('/chat-token');
    if (!mint.ok) return (out.textContent = 'Sign in to the shop first.');
    const { token } = await mint.json();
    // 2. SyncTalk exchanges the token (once) for a session of that user on our site.
    const res = await fetch(${JSON.stringify(`${SYNCTALK_URL}/v1/auth/site-token`)}, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-SyncTalk-Site': ${JSON.stringify(SITE_ID)} },
      body: JSON.stringify({ token }),
    });
    const body = await res.json();
    out.textContent = res.ok
      ? 'Signed in to chat as ' + body.user.displayName + ' (' + body.user.kind + ' user ' + body.user.id + ')'
      : 'SyncTalk said ' + res.status + ': ' + body.error.message;
  };
</script>`;

createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
  if (req.method === 'GET' && url.pathname === '/') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(page);
    return;
  }
  if (req.method === 'POST' && url.pathname === '/login') {
    let body = '';
    for await (const chunk of req) body += chunk;
    const name = new URLSearchParams(body).get('name')?.trim().slice(0, 64) || 'Guest';
    res
      .writeHead(303, {
        Location: '/',
        'Set-Cookie': `demo_user=${encodeURIComponent(name)}; HttpOnly; SameSite=Lax; Path=/`,
      })
      .end();
    return;
  }
  if (req.method === 'GET' && url.pathname === '/chat-token') {
    const user = currentUser(req);
    if (!user) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":"not signed in"}');
      return;
    }
    const token = createUserToken({
      siteId: SITE_ID,
      siteSecret: SITE_SECRET,
      userId: user.id,
      name: user.name,
      expiresIn: 60, // exchanged right away; a minute is plenty
    });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify({ token }));
    return;
  }
  res.writeHead(404).end();
}).listen(PORT, '127.0.0.1', () => {
  console.log(`site backend on http://127.0.0.1:${PORT} (SyncTalk at ${SYNCTALK_URL}, site ${SITE_ID})`);
});
