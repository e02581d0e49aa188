/**
 * Korean and English, chosen from the `locale` option or else the browser's language: the buttons' names,
 * counts with their plural forms, day separators and relative times (all through `Intl`), and the `lang`
 * the widget's content carries so a screen reader pronounces it in the right language.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { participant } from './helpers/participant.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { openPanel, part, readMessages, sendMessage } from './helpers/widget.js';

/** What the visitor reads and what assistive technology is told, in one language. */
interface Seen {
  lang: string | null;
  launcher: string | null;
  roomTime: string;
  roomUnread: string | null;
  members: string;
  day: string;
  placeholder: string | null;
  buttons: string[];
}

describeBrowser('widget: Korean and English', () => {
  const env = useChatEnvironment({ label: 'locale_ko_en', nodes: 1 });
  const visitors = useVisitors();

  async function seen(page: Page, url: string, username: string, password: string): Promise<Seen> {
    await page.goto(url);
    const launcher = await part(page, 'launcher').getAttribute('aria-label');
    await openPanel(page);
    const lang = await part(page, 'panel').evaluate(
      (el) => el.closest('[lang]')?.getAttribute('lang') ?? null,
    );
    const signIn = part(page, 'signIn');
    await signIn.locator('button[data-view="login"]').click();
    await signIn.locator('input[name="username"]').fill(username);
    await signIn.locator('input[name="password"]').fill(password);
    await signIn.locator('button[type="submit"]').click();
    const item = page.locator('[part~="room-item"]').first();
    await item.waitFor();
    const roomTime = (await item.locator('[part~="room-time"]').textContent())?.trim() ?? '';
    const roomUnread = await item.locator('[part~="room-unread"]').getAttribute('aria-label');
    await screenshot(page, `locale-${lang}-room-list`);
    await item.click();
    await part(page, 'room').waitFor();
    const members = (await page.locator('[part~="header"] .sub span').nth(1).textContent())?.trim() ?? '';
    const day = (await page.locator('[part~="day"]').first().textContent())?.trim() ?? '';
    const placeholder = await part(page, 'input').getAttribute('placeholder');
    const named = await page
      .locator('[part~="panel"] button')
      .evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? el.textContent?.trim() ?? ''));
    const buttons = [...new Set(named)];
    return { lang, launcher, roomTime, roomUnread, members, day, placeholder, buttons };
  }

  it('speaks Korean to a Korean browser and English when the option says so', async () => {
    const [node] = env.nodes;
    const { room, owner, member } = await roomWithMember(node!, {
      title: '제주 여행 모임',
      owner: 'Kim Seoyeon',
      member: 'Choi Hana',
    });
    const kim = await participant(node!.url, owner, room.id);
    await kim.send('이번 주말에 출발해요!');
    // No `locale` option: the browser's language decides. With `locale: en`, the option wins.
    env.host.serve('/ko.html', { body: embedPage({ chat: node!.url, data: { locale: '' } }) });
    env.host.serve('/en.html', { body: embedPage({ chat: node!.url, data: { locale: 'en' } }) });
    const { username } = member.user;

    const korean = await visitors.page({ locale: 'ko-KR' });
    expect(await seen(korean, env.host.url('/ko.html'), username!, member.password)).toEqual({
      lang: 'ko',
      launcher: '채팅 열기',
      roomTime: '지금',
      roomUnread: '읽지 않은 메시지 1개',
      members: '멤버 2명',
      day: '오늘',
      placeholder: '메시지를 입력하세요…',
      buttons: ['뒤로', '로그아웃', '채팅 닫기', '메시지 메뉴', '보내기'],
    });
    await sendMessage(korean, '좋아요, 공항에서 봬요.');
    await kim.send('네! 10시에 만나요.');
    await expect
      .poll(async () => (await readMessages(korean)).map((m) => m.text), POLL)
      .toEqual(['이번 주말에 출발해요!', '좋아요, 공항에서 봬요.', '네! 10시에 만나요.']);
    await screenshot(korean, 'locale-ko-conversation');
    await korean.context().close();
    await kim.send('Hana, can you bring the tickets?');

    const english = await visitors.page({ locale: 'ko-KR' });
    expect(await seen(english, env.host.url('/en.html'), username!, member.password)).toEqual({
      lang: 'en',
      launcher: 'Open chat',
      roomTime: 'now',
      roomUnread: '1 unread message',
      members: '2 members',
      day: 'Today',
      placeholder: 'Write a message…',
      buttons: ['Back', 'Sign out', 'Close chat', 'Message actions', 'Send'],
    });
    await screenshot(english, 'locale-en-conversation');
    kim.close();
  });
});
