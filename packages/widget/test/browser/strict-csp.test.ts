/**
 * The widget works on a host page with a strict Content-Security-Policy (no inline script or style, no
 * `eval`, connections only to the chat server): sign-in, sending and receiving, with zero violations.
 */
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { recordViolations, strictPolicy } from './helpers/csp.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { participant } from './helpers/participant.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { openPanel, readMessages, sendMessage, signInWithPassword } from './helpers/widget.js';

describeBrowser('widget: on a page with a strict Content-Security-Policy', () => {
  const env = useChatEnvironment({ label: 'strict_csp' });
  const visitors = useVisitors();

  it('signs in, sends and receives without a single violation', async () => {
    const [node] = env.nodes;
    const {
      room,
      owner: teller,
      member: jo,
    } = await roomWithMember(node!, {
      title: 'Secure support',
      owner: 'Bank Teller',
      member: 'Jo Banks',
    });
    const policy = strictPolicy(node!.url);
    env.host.serve('/bank.html', {
      body: embedPage({ chat: node!.url, data: { room: room.id }, title: 'Fortress Bank' }),
      headers: { 'content-security-policy': policy },
    });

    const page = await visitors.page();
    const violations = await recordViolations(page);
    const response = await page.goto(env.host.url('/bank.html'));
    expect(response?.headers()['content-security-policy']).toBe(policy);
    await openPanel(page);
    await signInWithPassword(page, jo.user.username!, jo.password);
    await sendMessage(page, 'Can I raise my card limit?');
    const tellerSocket = await participant(node!.url, teller, room.id);
    await tellerSocket.send('Yes, from the app or here.');
    await expect
      .poll(async () => (await readMessages(page)).map((m) => [m.text, m.own]), POLL)
      .toEqual([
        ['Can I raise my card limit?', true],
        ['Yes, from the app or here.', false],
      ]);
    await screenshot(page, 'strict-csp-conversation');

    expect(await violations()).toEqual([]);
    expect(visitors.pageErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);

    // The recorder does see violations under this policy: an inline style is refused and reported.
    await page.evaluate(() => {
      const style = document.createElement('style');
      style.textContent = 'body { outline: 1px solid red; }';
      document.head.append(style);
    });
    await expect
      .poll(async () => (await violations()).map((v) => v.directive), POLL)
      .toEqual(['style-src-elem']);
  });
});
