/* global process, console, URL, Buffer -- Node.js globals (this example is plain JavaScript) */
/**
 * A webhook receiver for SyncTalk, in miniature: it checks every delivery's signature with
 * `verifyWebhook`, answers at once, handles each event id once (deliveries are at-least-once: a retry after
 * a lost answer brings the same event again), and shows where an "email the members who are away" job
 * would go.
 *
 *   SYNCTALK_WEBHOOK_SECRET=whsec_… node examples/webhook-receiver/server.mjs
 *
 * During a secret rotation, pass both secrets separated by a comma: deliveries are signed with both.
 */
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { verifyWebhook, WebhookVerificationError } from '@synctalk/sdk/server';

const PORT = Number(process.env.PORT ?? 4100);
const SECRETS = (process.env.SYNCTALK_WEBHOOK_SECRET ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
/** Optional: append each event handled (once per id) to this file, one JSON object per line. */
const EVENTS_LOG = process.env.EVENTS_LOG;
/** The largest body accepted: SyncTalk's events are far smaller. */
const BODY_LIMIT = 1024 * 1024;
if (SECRETS.length === 0) {
  console.error('Set SYNCTALK_WEBHOOK_SECRET (the endpoint secret shown when it was created or rotated).');
  process.exit(1);
}

/**
 * Event ids already handled. A real receiver keeps them where its work is stored (a unique index on the
 * event id, in the same transaction as the work); memory is enough to show the idea.
 */
const handled = new Set();
/** What this receiver did, in order: one entry per event id. */
const events = [];

/** The stub: a real site looks up who is away (no open tab) and emails or pushes them. */
function notifyOfflineMembers(message) {
  console.log(
    `[notify] room ${message.roomId}: "${message.text.slice(0, 60)}" from ${message.author.displayName}` +
      ' -> would email members who are away',
  );
}

/** Does the work for one event. Runs once per event id. */
function handle(event) {
  switch (event.type) {
    case 'message.created':
      notifyOfflineMembers(event.data.message);
      break;
    case 'member.joined':
      console.log(`[member] ${event.data.member.user.displayName} joined room ${event.data.roomId}`);
      break;
    case 'user.created':
      console.log(`[user] ${event.data.user.displayName} (${event.data.externalId ?? 'own account'})`);
      break;
    default:
      console.log(`[event] ${event.type} ${event.id}`);
  }
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > BODY_LIMIT) throw new RangeError('body too large');
    chunks.push(chunk);
  }
  // The exact bytes: the signature covers them, so never re-serialize before verifying.
  return Buffer.concat(chunks);
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://receiver');
  if (url.pathname === '/events' && req.method === 'GET') {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(events));
    return;
  }
  if (url.pathname !== '/synctalk') {
    res.writeHead(404).end();
    return;
  }
  if (req.method !== 'POST') {
    res.writeHead(405, { Allow: 'POST' }).end();
    return;
  }
  let body;
  try {
    body = await readBody(req);
  } catch {
    res.writeHead(413).end();
    return;
  }
  let event;
  try {
    event = verifyWebhook(body, req.headers, SECRETS);
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    // Forged, tampered with, replayed later, or signed with a secret we do not have: do nothing.
    console.warn(`[refused] ${error.reason}: ${error.message}`);
    res.writeHead(400, { 'Content-Type': 'text/plain' }).end(error.reason);
    return;
  }
  if (!handled.has(event.id)) {
    handled.add(event.id);
    events.push(event);
    if (EVENTS_LOG) appendFileSync(EVENTS_LOG, `${JSON.stringify(event)}\n`);
    handle(event);
  }
  // 2xx as soon as the event is safely recorded: anything else is retried by SyncTalk.
  res.writeHead(204).end();
});

server.listen(PORT, '127.0.0.1', () => {
  const { port } = server.address();
  console.log(`webhook receiver listening on http://127.0.0.1:${port} (POST /synctalk)`);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
