/**
 * One exchange through the open panel: the visitor writes, someone answers from a socket of their own, and
 * the visitor sees both, once each, in order.
 *
 * ```ts
 * await openPanel(page);
 * await converse(page, node.url, cast, 'Is the tent waterproof?', 'Yes, 3000 mm.'); // signs the member in first
 * await exchange(page, { chat: node.url, other: owner, roomId: room.id, mine: 'Hi', theirs: 'Hello!' });
 * ```
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestUser } from '../../../../server/test/helpers/factories.js';
import { participant } from './participant.js';
import type { RoomWithMember } from './rooms.js';
import { POLL } from './suite.js';
import { readMessages, sendMessage, signInWithPassword } from './widget.js';

/**
 * `mine` sent from the page's open room, then `theirs` from `other` (a socket on `chat`): both show, in
 * that order, as the newest messages.
 */
export async function exchange(
  page: Page,
  options: { chat: string; other: TestUser; roomId: string; mine: string; theirs: string },
): Promise<void> {
  await sendMessage(page, options.mine);
  const other = await participant(options.chat, options.other, options.roomId);
  try {
    await other.send(options.theirs);
    await expect
      .poll(async () => (await readMessages(page)).slice(-2).map((m) => [m.text, m.own]), POLL)
      .toEqual([
        [options.mine, true],
        [options.theirs, false],
      ]);
  } finally {
    other.close();
  }
}

/**
 * The member of `cast` signs in with their password, then `question` and the owner's `answer` are the
 * room's whole conversation, in that order.
 */
export async function converse(
  page: Page,
  chatUrl: string,
  cast: RoomWithMember,
  question: string,
  answer: string,
): Promise<void> {
  await signInWithPassword(page, cast.member.user.username!, cast.member.password);
  await exchange(page, {
    chat: chatUrl,
    other: cast.owner,
    roomId: cast.room.id,
    mine: question,
    theirs: answer,
  });
  expect((await readMessages(page)).map((m) => [m.text, m.own])).toEqual([
    [question, true],
    [answer, false],
  ]);
}
