/**
 * What the bot understands: finding a mention of it in a message, and the answer to the command after it.
 * Plain functions of their input (no SDK, no network), so the rules can be read in one place.
 *
 *   commandIn('hey @bot time?', 'bot')   → 'time?'
 *   commandIn('email me@bot.example', 'bot') → undefined (not a mention)
 *   answer('time?', { botName: 'bot', … }) → 'It is 2025-01-31 09:30:00 UTC.'
 */

/** The commands, in the order `help` lists them. */
export const COMMANDS = ['help', 'ping', 'time', 'online', 'echo <text>'];

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The text after the first `@name` in `text` (trimmed, without a leading `:` or `,`), or undefined when the
 * message does not mention `name`. The mention must start the message or follow a space or an opening
 * bracket, and end at a character that cannot continue a name; case is ignored (`@Bot` mentions `bot`).
 */
export function commandIn(text, name) {
  const mention = new RegExp(
    `(?:^|[\\s(\\[])@${escapeRegExp(name)}(?![\\p{L}\\p{N}_.-]*[\\p{L}\\p{N}_])`,
    'iu',
  );
  const match = mention.exec(text);
  if (!match) return undefined;
  return text
    .slice(match.index + match[0].length)
    .replace(/^[\s:,]+/, '')
    .trim();
}

/** `2025-01-31 09:30:00 UTC` */
function utc(date) {
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * The bot's answer to `command` (what followed the mention).
 * @param {string} command
 * @param {{ botName: string, author: string, roomTitle: string, online: number | undefined, now?: Date }} context
 */
export function answer(command, { botName, author, roomTitle, online, now = new Date() }) {
  const [first = ''] = command.split(/\s+/);
  const word = first.toLowerCase().replace(/[^\p{L}\p{N}]+$/u, '');
  const list = COMMANDS.map((c) => `@${botName} ${c}`).join(' · ');
  switch (word) {
    case '':
    case 'help':
    case 'hi':
    case 'hello':
      return `Hi ${author}! Mention me with a command: ${list}`;
    case 'ping':
      return 'pong';
    case 'time':
      return `It is ${utc(now)}.`;
    case 'online':
      return online === undefined
        ? `I do not know who is online in ${roomTitle} yet.`
        : `${online} online in ${roomTitle} (me included).`;
    case 'echo': {
      const text = command.slice(first.length).trim();
      return text || `Echo what? Try @${botName} echo hello`;
    }
    default:
      return `I do not know "${first.slice(0, 32)}". Try @${botName} help`;
  }
}
