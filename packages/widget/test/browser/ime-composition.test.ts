/**
 * Korean typed with an IME: Enter while a Hangul syllable is still being composed only ends the
 * composition (nothing is sent, the text stays in the composer); Enter after the syllable is committed
 * sends the whole text, once. The composition runs in real Chromium through the DevTools protocol, as an
 * input method would drive it.
 */
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { part, readMessages, visitSignedIn } from './helpers/widget.js';

describeBrowser('widget: Enter during IME composition', () => {
  const env = useChatEnvironment({ label: 'ime_composition' });
  const visitors = useVisitors();

  it('does not send a Hangul syllable still being composed; sends the committed text once', async () => {
    const [node] = env.nodes;
    const { room, owner, member } = await roomWithMember(node!, {
      title: '고객 지원',
      owner: 'Park Jiwoo',
      member: 'Lee Minji',
    });
    env.host.serve('/ko.html', {
      body: embedPage({ chat: node!.url, data: { room: room.id, locale: 'ko' } }),
    });
    const page = await visitSignedIn(
      await visitors.page({ locale: 'ko-KR' }),
      env.host.url('/ko.html'),
      member,
    );
    const input = part(page, 'input');
    await input.click();
    const cdp = await page.context().newCDPSession(page);

    // "안녕하세" committed, then "요" composed jamo by jamo (ㅇ → 요) and not yet committed.
    await cdp.send('Input.insertText', { text: '안녕하세' });
    for (const text of ['ㅇ', '요']) {
      await cdp.send('Input.imeSetComposition', { text, selectionStart: 1, selectionEnd: 1 });
    }
    await expect.poll(() => input.inputValue(), POLL).toBe('안녕하세요');
    // Record the keydowns the composer receives, as its own listener sees them.
    await input.evaluate((el) => {
      const seen: { key: string; isComposing: boolean; keyCode: number }[] = [];
      (el as HTMLTextAreaElement).addEventListener('keydown', (e) =>
        seen.push({ key: e.key, isComposing: e.isComposing, keyCode: e.keyCode }),
      );
      (window as unknown as { __keydowns: typeof seen }).__keydowns = seen;
    });

    // Enter while composing: the input method takes it (the page sees the key go down and up, no character
    // is typed); the keydown says it is part of a composition; nothing is sent, the text stays.
    const enter = { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13, nativeVirtualKeyCode: 13 };
    await cdp.send('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...enter });
    await cdp.send('Input.dispatchKeyEvent', { type: 'keyUp', ...enter });
    const keydowns = await page.evaluate(
      () =>
        (window as unknown as { __keydowns: { key: string; isComposing: boolean; keyCode: number }[] })
          .__keydowns,
    );
    expect(keydowns.map((k) => [k.key, k.isComposing || k.keyCode === 229])).toEqual([['Enter', true]]);
    // The widget renders once per frame: two frames later a send would show (and empty the composer).
    await page.evaluate(
      () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))),
    );
    expect(await input.inputValue()).toBe('안녕하세요');
    expect(await part(page, 'message').count()).toBe(0);
    await screenshot(page, 'ime-enter-while-composing');

    // The syllable is committed; Enter now sends the text once.
    await cdp.send('Input.insertText', { text: '요' });
    await expect.poll(() => input.inputValue(), POLL).toBe('안녕하세요');
    await page.keyboard.press('Enter');
    await expect
      .poll(async () => (await readMessages(page)).map((m) => [m.text, m.own, m.status]), POLL)
      .toEqual([['안녕하세요', true, 'sent']]);
    await expect.poll(() => input.inputValue(), POLL).toBe('');
    const res = await fetch(`${node!.url}/v1/rooms/${room.id}/messages`, { headers: owner.headers });
    const stored = (await res.json()) as { messages: { text: string; author: { id: string } }[] };
    expect(stored.messages.map((m) => [m.text, m.author.id])).toEqual([['안녕하세요', member.user.id]]);
    await screenshot(page, 'ime-sent-after-commit');
    await cdp.detach();
  });
});
