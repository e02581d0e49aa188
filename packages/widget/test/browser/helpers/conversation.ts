/**
 * One exchange through the open panel: the member signs in with their password and writes, the room's owner
 * answers from a socket of their own, and the visitor sees both, once each, in order.
 *
 * ```ts
 * await openPanel(page);
 * await converse(page, node.url, cast, 'Is the tent waterproof?', 'Yes, 3000 mm.');
 * ```
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { participant } from './participant.js';
import type { RoomWithMember } from './rooms.js';
import { POLL } from './suite.js';
import { readMessages, sendMessage, signInWithPassword } from './widget.js';

export async function converse(
  page: Page,
  chatUrl: string,
  cast: RoomWithMember,
  question: string,
  answer: string,
): Promise<void> {
  await signInWithPassword(page, cast.member.user.username!, cast.member.password);
  await sendMessage(page, question);
  const owner = await participant(chatUrl, cast.owner, cast.room.id);
  try {
    await owner.send(answer);
    await expect
      .poll(async () => (await readMessages(page)).map((m) => [m.text, m.own]), POLL)
      .toEqual([
        [question, true],
        [answer, false],
      ]);
  } finally {
    owner.close();
  }
}
