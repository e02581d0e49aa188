/**
 * examples/node-bot against a real server, run as its README runs it (a child process with the site's
 * secret): it signs in with a site token it mints, joins its rooms (making the one it names by title),
 * answers each mention of it once with a reply, never answers itself, survives the server dropping its
 * connection, stops cleanly on SIGTERM, and a restart (even two copies at once) answers what it missed
 * without answering anything twice.
 */
import { createClient, type Connection, type Message } from '@synctalk/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExample, type RunningExample } from './helpers/example.js';
import { defaultSite, newRoom, newUser, type TestUser } from './helpers/factories.js';
import { startTestServer, type TestServer } from './helpers/server.js';

const POLL = { timeout: 15_000, interval: 50 };
/** Ann's messages that mention the bot. */
const MENTION = /(^|\s)@bot\b/i;

/** What `find` returns once it returns something. */
async function waitFor<T>(find: () => T | undefined): Promise<T> {
  await expect.poll(find, POLL).toBeDefined();
  return find()!;
}

// No services needed: the embedded defaults, as `npm start` runs them.
describe('examples/node-bot', () => {
  let t: TestServer;
  let secret: string;
  let ann: TestUser;
  let chat: Connection;
  let support: { id: string };
  let helpDesk: { id: string };
  let botId: string;
  const bots: RunningExample[] = [];
  const seen: Message[] = [];

  const startBot = async () => {
    const bot = await startExample('node-bot/bot.mjs', {
      SYNCTALK_URL: t.url,
      SYNCTALK_SITE_SECRET: secret,
      BOT_ROOMS: `Help desk, ${support.id}`,
    });
    bots.push(bot);
    return bot;
  };

  beforeAll(async () => {
    t = await startTestServer({ env: { MESSAGE_RATE_LIMIT: '1000' } });
    // What `npm run -s site-secret` does: rotate the default site's secret and hand it to the bot.
    secret = (await t.server.deps.sites.rotateSecret((await defaultSite(t)).id))!;
    ann = await newUser(t, { displayName: 'Ann' });
    support = await newRoom(t, ann, { title: 'Support' });
    await startBot();

    const client = createClient({ baseUrl: t.url });
    await client.auth.setSession(ann.auth);
    const listed = (await client.rooms.list({ limit: 100 })).items.find((r) => r.title === 'Help desk');
    helpDesk = await client.rooms.join(listed!.id);
    chat = await client.connect();
    chat.on('message:new', (message) => seen.push(message));
    await chat.joinRoom(support.id);
    await chat.joinRoom(helpDesk.id);
  });
  afterAll(async () => {
    chat?.close();
    await Promise.all(bots.map((bot) => bot.stop()));
    await t?.close();
  });

  /** Sends as Ann and waits for the bot's reply to it (its one message replying to that one). */
  const ask = async (roomId: string, text: string) => {
    const mention = await chat.send(roomId, text);
    const reply = await waitFor(() => seen.find((m) => m.replyTo === mention.id));
    return { mention, reply };
  };
  /** Every stored message of a room, oldest first. */
  const history = async (roomId: string) =>
    (await t.server.db('messages').where({ room_id: roomId }).orderBy('seq')).map((row) => ({
      id: String(row.id),
      author: String(row.author_id),
      text: String(row.text),
      replyTo: row.reply_to === null ? null : String(row.reply_to),
    }));
  /** The bot's replies in a room, by the message they answer. */
  const repliesByMention = async (roomId: string) => {
    const counts = new Map<string, number>();
    for (const m of await history(roomId)) {
      if (m.author === botId && m.replyTo) counts.set(m.replyTo, (counts.get(m.replyTo) ?? 0) + 1);
    }
    return counts;
  };

  it('signs in as a site user with a token it minted, makes the room it names by title and joins the other', async () => {
    const user = await t.server.db('users').where({ kind: 'site', external_id: 'synctalk-bot' }).first();
    expect(user).toMatchObject({ display_name: 'bot' });
    botId = String(user.id);
    expect(bots[0]!.output()).toContain(
      `@bot answers mentions in Help desk (#${helpDesk.id}), Support (#${support.id}) on ${t.url}`,
    );
    const made = await t.server.db('rooms').where({ id: helpDesk.id }).first();
    expect(made).toMatchObject({ visibility: 'public' });
    expect(String(made.owner_id)).toBe(botId);
    const members = await t.server.db('room_members').where({ room_id: support.id, user_id: botId });
    expect(members).toHaveLength(1);
    expect(bots[0]!.output()).not.toContain(secret);
  });

  it('answers a mention with a reply to it, in each of its rooms, and leaves everything else alone', async () => {
    await chat.send(support.id, 'no mention here');
    await chat.send(support.id, 'mail me@bot.example or ask @botty');
    const ping = await ask(support.id, '@bot ping');
    expect(ping.reply).toMatchObject({ text: 'pong', author: { id: botId, displayName: 'bot' } });

    const help = await ask(helpDesk.id, 'Hi @Bot, help?');
    expect(help.reply.text).toBe(
      'Hi Ann! Mention me with a command: @bot help · @bot ping · @bot time · @bot online · @bot echo <text>',
    );
    const time = await ask(helpDesk.id, '@bot time');
    expect(time.reply.text).toMatch(/^It is \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.$/);
    const online = await ask(helpDesk.id, '@bot online');
    expect(online.reply.text).toMatch(/^\d+ online in Help desk \(me included\)\.$/);
    const unknown = await ask(helpDesk.id, '@bot dance');
    expect(unknown.reply.text).toBe('I do not know "dance". Try @bot help');

    // Everything the bot wrote answers one of Ann's mentions; the two messages without one got nothing.
    const support_ = await history(support.id);
    expect(support_.filter((m) => m.author === botId)).toEqual([
      expect.objectContaining({ replyTo: ping.mention.id }),
    ]);
  });

  it('never answers itself, and answers every mention exactly once', async () => {
    // The echo mentions the bot again: that is the bot's own message, which it does not answer.
    const echo = await ask(support.id, '@bot echo hello @bot');
    expect(echo.reply.text).toBe('hello @bot');
    const first = await ask(support.id, '@bot ping');
    const second = await ask(support.id, '@bot ping');
    expect(first.reply.id).not.toBe(second.reply.id);

    const replies = await repliesByMention(support.id);
    const mentions = (await history(support.id)).filter(
      (m) => m.author === ann.user.id && MENTION.test(m.text),
    );
    expect(mentions.length).toBeGreaterThanOrEqual(4);
    expect(mentions.map((m) => replies.get(m.id))).toEqual(mentions.map(() => 1));
    expect([...replies.keys()].every((id) => mentions.some((m) => m.id === id))).toBe(true);
  });

  it('keeps answering after the server drops its connection', async () => {
    const bot = bots[0]!;
    t.server.io.of('/chat').disconnectSockets(true);
    await expect.poll(() => bot.output(), POLL).toContain('connection reconnecting');
    const { reply } = await ask(support.id, '@bot ping');
    expect(reply.text).toBe('pong');
    expect(bot.output()).toContain('connection connected');
  });

  it('stops cleanly on SIGTERM; restarted, it answers what it missed and nothing twice, even run twice at once', async () => {
    const [old] = bots.splice(0);
    await old!.stop();
    expect(old!.output()).toMatch(/SIGTERM: stopping\nstopped\n$/);

    // Asked while the bot is away: answered once it is back. Two copies start at once (an overlapping
    // deploy): both see the same mentions, and the reply's clientMsgId lets only one answer through.
    const missed = await chat.send(helpDesk.id, '@bot time');
    const [a, b] = await Promise.all([startBot(), startBot()]);
    const caughtUp = await waitFor(() => seen.find((m) => m.replyTo === missed.id));
    expect(caughtUp.author.id).toBe(botId);

    const live = await ask(helpDesk.id, '@bot ping');
    // Both copies have dealt with every mention up to the last one (each logs it, answered or not).
    for (const bot of [a!, b!]) {
      await expect.poll(() => bot.output(), POLL).toContain(`#${live.mention.seq} in Help desk:`);
      await expect.poll(() => bot.output(), POLL).toContain(`#${missed.seq} in Help desk:`);
    }
    expect(a!.output() + b!.output()).toContain('already answered');

    for (const room of [helpDesk.id, support.id]) {
      const replies = await repliesByMention(room);
      const mentions = (await history(room)).filter((m) => m.author === ann.user.id && MENTION.test(m.text));
      expect(mentions.map((m) => replies.get(m.id))).toEqual(mentions.map(() => 1));
    }
  });
});
