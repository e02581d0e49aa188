/* global process, console, setTimeout, clearTimeout, setImmediate -- Node.js globals (this example is plain JavaScript) */
/**
 * A bot that answers in SyncTalk rooms. It signs in as a user of the site with a site token it mints itself
 * (`createUserToken` and the site's signing secret: a bot is its own site backend), joins its rooms and
 * answers every message that mentions it (`@bot help`, `@bot time`, …) with a reply to that message.
 *
 *   SYNCTALK_SITE_SECRET=sts_… node examples/node-bot/bot.mjs
 *
 * Each answer is sent with the clientMsgId `reply-<id of the mention>`. The server stores one message per
 * clientMsgId and room, so a mention is answered once, whatever happens: the SDK sending again after a
 * reconnect, or the bot restarting and seeing the same mention again in the room's recent history. Mentions
 * made while the bot was away (up to BOT_CATCH_UP_SECONDS old) are answered when it is back; live ones
 * always.
 *
 * Or from code: `const bot = await startBot({ siteSecret, rooms: ['Lobby'] })` → `{ user, rooms, stop() }`.
 */
import { pathToFileURL } from 'node:url';
import { createClient, SyncTalkError } from '@synctalk/sdk';
import { createUserToken } from '@synctalk/sdk/server';
import { answer, commandIn } from './commands.mjs';

const DEFAULTS = {
  url: 'http://127.0.0.1:3000',
  name: 'bot',
  userId: 'synctalk-bot',
  rooms: ['Lobby'],
  catchUpSeconds: 300,
  log: (line) => console.log(line),
};

/** How many answered mentions are remembered in memory; older ones are guarded by their clientMsgId alone. */
const REMEMBERED = 10_000;
/** Waits before signing in again once a session ended for good (say the server restarted with a new key). */
const RETRY_MS = [1_000, 2_000, 5_000, 10_000, 30_000];
/** How long `stop()` waits for answers still being sent. */
const STOP_GRACE_MS = 5_000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every item of a keyset-paged listing, page by page, until `found` matches one. */
async function findPaged(list, found) {
  let cursor;
  do {
    const page = await list(cursor);
    const match = page.items.find(found);
    if (match) return match;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return undefined;
}

/**
 * The room one entry of `rooms` names, joined: a room id (`42`), a join code (`code:K7PM3QXR`, for private
 * rooms), or a title: one of my rooms, else a public room of the directory, else a new public room.
 */
async function joinRoom(client, wanted) {
  if (/^\d+$/.test(wanted)) return client.rooms.join(wanted);
  if (/^code:/i.test(wanted)) return client.rooms.joinByCode(wanted.slice(5));
  const same = (room) => room.title.toLowerCase() === wanted.toLowerCase();
  const mine = await findPaged((cursor) => client.rooms.myRooms({ limit: 100, cursor }), same);
  if (mine) return mine;
  const listed = await findPaged((cursor) => client.rooms.list({ limit: 100, cursor }), same);
  if (listed) return client.rooms.join(listed.id);
  return client.rooms.create({ title: wanted, visibility: 'public' });
}

/**
 * Signs the bot in, joins its rooms and answers mentions until `stop()`. Rejects when the first sign-in or
 * a room fails (a wrong secret, an unknown room, the server unreachable).
 *
 * @param {{ siteSecret: string, url?: string, siteId?: string, name?: string, userId?: string,
 *   rooms?: string[], catchUpSeconds?: number, log?: (line: string) => void }} options
 */
export async function startBot(options) {
  const o = { ...DEFAULTS, ...options };
  if (!o.siteSecret) throw new TypeError('siteSecret is required');
  const { log } = o;
  const baseUrl = o.url.replace(/\/+$/, '');
  // The site's public id: given, or the server's default site (what `npm start` makes).
  const siteId = o.siteId ?? (await createClient({ baseUrl }).siteInfo.info()).publicId;

  const answered = new Set(); // ids of mentions answered, by this run or (as seen in the history) before
  const inflight = new Set(); // answers being sent
  const rooms = new Map(); // room id → { title, online }
  let roomIds; // what `o.rooms` named, once resolved by the first sign-in
  let live; // the current { client, chat }
  let me;
  let stopping = false;
  let retryTimer;
  let attempt = 0;

  const remember = (id) => {
    answered.add(id);
    if (answered.size > REMEMBERED) answered.delete(answered.values().next().value);
  };
  const describe = (roomId) => rooms.get(roomId)?.title ?? `room ${roomId}`;

  async function reply(chat, message, command) {
    const where = `#${message.seq} in ${describe(message.roomId)}`;
    if (answered.has(message.id)) return log(`${where}: already answered`);
    remember(message.id);
    const room = rooms.get(message.roomId);
    const text = answer(command, {
      botName: o.name,
      author: message.author.displayName,
      roomTitle: room?.title ?? 'this room',
      online: room?.online,
    });
    const sending = chat.send(message.roomId, text, {
      replyTo: message.id,
      clientMsgId: `reply-${message.id}`,
    });
    inflight.add(sending);
    try {
      await sending;
      log(`${where}: ${message.author.displayName} asked ${JSON.stringify(command.slice(0, 80))}, answered`);
    } catch (error) {
      if (error instanceof SyncTalkError && error.code === 'conflict') {
        // The clientMsgId is taken: an earlier run answered this mention (with other words, e.g. the time).
        log(`${where}: already answered`);
      } else {
        answered.delete(message.id); // seen again after the next sign-in, answered then
        log(`${where}: could not answer (${error.code ?? 'error'}: ${error.message})`);
      }
    } finally {
      inflight.delete(sending);
    }
  }

  function onMessage(chat, message, source) {
    if (message.author.id === me.id) {
      if (message.replyTo) remember(message.replyTo);
      return;
    }
    if (message.deletedAt) return;
    const command = commandIn(message.text, o.name);
    if (command === undefined) return;
    // Caught up (the recent history on joining, what a reconnect missed): only if it is recent enough.
    const age = Date.now() - Date.parse(message.createdAt);
    if (source !== 'live' && age > o.catchUpSeconds * 1000) return;
    // After the rest of this delivery: a join delivers the recent history in one go, our answers included.
    setImmediate(() => void reply(chat, message, command));
  }

  /** Signs in, connects and (re)joins the rooms. The first time, any failure rejects; later, per room. */
  async function signIn() {
    const first = roomIds === undefined;
    const client = createClient({ baseUrl, site: siteId });
    // A fresh token for every sign-in (each works once); the secret never leaves this process.
    const token = createUserToken({
      siteId,
      siteSecret: o.siteSecret,
      userId: o.userId,
      name: o.name,
      expiresIn: 60,
    });
    me = (await client.auth.siteToken(token)).user;
    if (first) {
      roomIds = [];
      for (const wanted of o.rooms) roomIds.push((await joinRoom(client, wanted)).id);
    }
    const chat = await client.connect();
    live = { client, chat };
    chat.on('message:new', (message, { source }) => onMessage(chat, message, source));
    chat.on('room:joined', ({ room, presence }) => {
      rooms.set(room.id, { title: room.title, online: presence.count });
    });
    chat.on('presence', ({ roomId, count }) => {
      const room = rooms.get(roomId);
      if (room) room.online = count;
    });
    chat.on('error', (error) => log(`${error.code}: ${error.message}`));
    chat.on('status', (status) => {
      if (status !== 'closed') return log(`connection ${status}`);
      if (!stopping && live?.chat === chat) signInLater('the session ended');
    });
    for (const id of roomIds) {
      try {
        await chat.joinRoom(id);
      } catch (error) {
        if (first) {
          chat.close();
          throw error;
        }
        log(`could not rejoin ${describe(id)} (${error.code}: ${error.message})`);
      }
    }
    attempt = 0;
  }

  function signInLater(why) {
    if (stopping || retryTimer) return;
    const delay = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
    attempt += 1;
    log(`${why}: signing in again in ${delay / 1000} s`);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      live?.chat.close();
      signIn().then(
        () => log('signed in again'),
        (error) => signInLater(`sign-in failed (${error.code ?? 'error'}: ${error.message})`),
      );
    }, delay);
  }

  await signIn();
  return {
    user: me,
    rooms: roomIds.map((id) => ({ id, title: describe(id) })),
    /** Waits (a little) for answers being sent, then closes the connection and ends the session. */
    async stop() {
      stopping = true;
      clearTimeout(retryTimer);
      await Promise.race([Promise.allSettled([...inflight]), sleep(STOP_GRACE_MS)]);
      live?.chat.close();
      await live?.client.auth.logout().catch(() => {});
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = process.env;
  const catchUpSeconds = Number(env.BOT_CATCH_UP_SECONDS ?? DEFAULTS.catchUpSeconds);
  const rooms = (env.BOT_ROOMS ?? DEFAULTS.rooms.join(','))
    .split(',')
    .map((room) => room.trim())
    .filter(Boolean);
  const problem = !env.SYNCTALK_SITE_SECRET
    ? 'Set SYNCTALK_SITE_SECRET (the site signing secret, sts_…: npm run -s site-secret prints one).'
    : !Number.isInteger(catchUpSeconds) || catchUpSeconds < 0
      ? `BOT_CATCH_UP_SECONDS must be a whole number of seconds, 0 or more (got "${env.BOT_CATCH_UP_SECONDS}").`
      : rooms.length === 0
        ? 'BOT_ROOMS names no room: give room ids, titles or code:<join code>, comma-separated.'
        : undefined;
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
  const url = env.SYNCTALK_URL ?? DEFAULTS.url;
  let bot;
  try {
    bot = await startBot({
      url,
      siteId: env.SYNCTALK_SITE_ID || undefined,
      siteSecret: env.SYNCTALK_SITE_SECRET,
      name: env.BOT_NAME || DEFAULTS.name,
      userId: env.BOT_USER_ID || DEFAULTS.userId,
      rooms,
      catchUpSeconds,
    });
  } catch (error) {
    const hint =
      error instanceof SyncTalkError && error.status === 0 ? ` (is SyncTalk running at ${url}?)` : '';
    console.error(`The bot could not start: ${error.code ?? 'error'}: ${error.message}${hint}`);
    process.exit(1);
  }
  const where = bot.rooms.map((room) => `${room.title} (#${room.id})`).join(', ');
  console.log(`@${bot.user.displayName} answers mentions in ${where} on ${url}`);

  const shutdown = async (signal) => {
    process.once(signal, () => process.exit(1)); // a second Ctrl-C: now
    console.log(`${signal}: stopping`);
    await bot.stop();
    console.log('stopped');
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}
