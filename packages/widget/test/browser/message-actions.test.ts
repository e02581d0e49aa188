/**
 * What a visitor does to messages, seen from both sides: a reply quotes the message it answers, an edit and
 * a deletion reach the other member, reactions count on both sides and mark one's own, the other member's
 * typing shows, and a send the server refuses stays in the conversation as "Not sent" with Retry and
 * Discard.
 */
import type { Message, MessageDeletedEvent, MessageUpdatedEvent, ReactionUpdatedEvent } from '@synctalk/sdk';
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { participant } from './helpers/participant.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { part, readMessages, sendMessage, visitSignedIn } from './helpers/widget.js';

describeBrowser('widget: replies, edits, deletions, reactions, typing and refused sends', () => {
  // A low server limit lets a message pass the widget's own check and be refused by the server.
  const env = useChatEnvironment({ label: 'message_actions', nodes: 2, env: { MESSAGE_MAX_LENGTH: '200' } });
  const visitors = useVisitors();

  it('shows every action on both sides', async () => {
    const [node1, node2] = env.nodes;
    const { room, owner, member } = await roomWithMember(node1!, {
      title: 'Order 1042',
      owner: 'Dan Moss',
      member: 'Cleo Park',
    });
    env.host.serve('/shop.html', { body: embedPage({ chat: node1!.url, data: { room: room.id } }) });
    const dan = await participant(node2!.url, owner, room.id);
    const seenByDan = {
      created: [] as Message[],
      updated: [] as MessageUpdatedEvent[],
      deleted: [] as MessageDeletedEvent[],
      reactions: [] as ReactionUpdatedEvent[],
    };
    dan.socket.on('message:new', (m) => seenByDan.created.push(m));
    dan.socket.on('message:updated', (e) => seenByDan.updated.push(e));
    dan.socket.on('message:deleted', (e) => seenByDan.deleted.push(e));
    dan.socket.on('reaction:updated', (e) => seenByDan.reactions.push(e));

    const question = await dan.send('Which colour would you like, green or blue?');
    const page = await visitSignedIn(await visitors.page(), env.host.url('/shop.html'), member);
    const message = (text: string) =>
      part(page, 'message').filter({ has: page.locator('[part~="text"]', { hasText: text }) });
    await message('green or blue').waitFor();

    // Reply: the new message quotes Dan's, and is stored as a reply to it.
    await message('green or blue').locator('[part~="actions-toggle"]').click();
    await message('green or blue').locator('[data-action="reply"]').click();
    await sendMessage(page, 'Blue, please.');
    await expect(message('Blue, please.').locator('[part~="quote"]').textContent()).resolves.toContain(
      'Dan Moss: Which colour',
    );
    await expect
      .poll(() => seenByDan.created.find((m) => m.text === 'Blue, please.')?.replyTo, POLL)
      .toBe(question.id);

    // Edit: Enter saves; both sides see the new text, the widget marks it edited.
    await message('Blue, please.').locator('[part~="actions-toggle"]').click();
    await message('Blue, please.').locator('[data-action="edit"]').click();
    await expect.poll(() => part(page, 'input').inputValue(), POLL).toBe('Blue, please.');
    await part(page, 'input').fill('Navy blue, please.');
    await part(page, 'input').press('Enter');
    await message('Navy blue, please.').locator('[part~="meta"]', { hasText: 'edited' }).waitFor();
    await expect.poll(() => seenByDan.updated.map((e) => e.text), POLL).toEqual(['Navy blue, please.']);

    // Reactions: mine is marked as mine; Dan's arrives live and is not.
    await message('green or blue').locator('[part~="actions-toggle"]').click();
    await message('green or blue').locator('[data-action="react"][data-emoji="👍"]').click();
    const thumbs = message('green or blue').locator('[part~="reaction"][data-emoji="👍"]');
    await expect.poll(() => thumbs.textContent(), POLL).toContain('1');
    await expect(thumbs.getAttribute('aria-pressed')).resolves.toBe('true');
    await expect
      .poll(() => seenByDan.reactions.map((r) => `${r.emoji}:${r.action}:${r.count}`), POLL)
      .toEqual(['👍:added:1']);
    const mine = seenByDan.created.find((m) => m.text === 'Blue, please.')!;
    await dan.socket.emitWithAck('reaction:add', { roomId: room.id, messageId: mine.id, emoji: '🎉' });
    const party = message('Navy blue').locator('[part~="reaction"][data-emoji="🎉"]');
    await expect.poll(() => party.textContent(), POLL).toContain('1');
    await expect(party.getAttribute('aria-pressed')).resolves.toBe('false');
    // Clicking my own reaction again takes it back.
    await thumbs.click();
    await expect.poll(() => thumbs.count(), POLL).toBe(0);

    // Typing: Dan's shows by name, and goes away when he sends.
    await dan.socket.emitWithAck('typing:start', { roomId: room.id });
    await expect
      .poll(() => part(page, 'room').locator('[part~="typing"]').textContent(), POLL)
      .toBe('Dan Moss is typing…');
    await screenshot(page, 'message-actions-conversation');
    await dan.send('Noted, navy blue it is.');
    await expect.poll(() => part(page, 'room').locator('[part~="typing"]').textContent(), POLL).toBe('');

    // Delete: a tombstone on both sides.
    await sendMessage(page, 'Oops, wrong chat');
    await message('wrong chat').locator('[part~="actions-toggle"]').click();
    await message('wrong chat').locator('[data-action="delete"]').click();
    await message('wrong chat').locator('[data-action="confirm-delete"]').click();
    await expect
      .poll(async () => (await readMessages(page)).some((m) => m.text === 'Message deleted'), POLL)
      .toBe(true);
    await expect.poll(() => seenByDan.deleted.length, POLL).toBe(1);
    expect((await readMessages(page)).some((m) => m.text.includes('wrong chat'))).toBe(false);

    // A send the server refuses (over its 200-character limit): "Not sent" with the reason, Retry, Discard.
    const long = `Please also note: ${'x'.repeat(250)}`;
    await part(page, 'input').fill(long);
    await part(page, 'input').press('Enter');
    const failed = part(page, 'message').and(page.locator('[data-status="failed"]'));
    await failed.waitFor();
    await expect(failed.locator('[part~="meta"]').textContent()).resolves.toMatch(/Not sent: .*200/);
    await failed.locator('[data-action="retry"]').click();
    await failed.waitFor(); // refused again, still there
    await screenshot(page, 'message-actions-failed');
    await failed.locator('[data-action="discard"]').click();
    await expect.poll(() => failed.count(), POLL).toBe(0);
    expect(seenByDan.created.some((m) => m.text.startsWith('Please also note'))).toBe(false);
    dan.close();
  });
});
