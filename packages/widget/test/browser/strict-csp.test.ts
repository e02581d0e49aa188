/**
 * The widget works on a host page with a strict Content-Security-Policy, exactly
 * `default-src 'none'; script-src 'self' CHAT; style-src 'self'; connect-src CHAT wss://CHAT; img-src 'self' data:`
 * (no inline script or style, no `eval`, connections only to the chat server, images only from the page):
 * the sign-in view with its Kakao button, signing in, sending and receiving, closing and reopening the panel,
 * and reconnecting after the connection dropped, in the light and the dark theme, with zero violations and no
 * request to anywhere else.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { recordViolations, strictPolicy } from './helpers/csp.js';
import { exchange } from './helpers/conversation.js';
import { openOnTop } from './helpers/on-top.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage, serveSiteStyles } from './helpers/pages.js';
import { participant } from './helpers/participant.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { recordTraffic } from './helpers/traffic.js';
import { useVisitors } from './helpers/visitors.js';
import {
  closePanel,
  effectiveBackground,
  part,
  partTexts,
  readMessages,
  sendMessage,
  signInWithPassword,
} from './helpers/widget.js';

describe('strictPolicy', () => {
  it('names the socket wss:// for an https chat server and ws:// for an http one', () => {
    expect(strictPolicy('https://chat.fortressbank.example')).toBe(
      "default-src 'none'; script-src 'self' https://chat.fortressbank.example; style-src 'self'; " +
        'connect-src https://chat.fortressbank.example wss://chat.fortressbank.example; ' +
        "img-src 'self' data:",
    );
    expect(strictPolicy('http://127.0.0.1:4100')).toBe(
      "default-src 'none'; script-src 'self' http://127.0.0.1:4100; style-src 'self'; " +
        "connect-src http://127.0.0.1:4100 ws://127.0.0.1:4100; img-src 'self' data:",
    );
  });
});

describeBrowser('widget: on a page with a strict Content-Security-Policy', () => {
  // Kakao Login configured (never reached here): the sign-in view shows its button.
  const env = useChatEnvironment({
    label: 'strict_csp',
    env: {
      KAKAO_REST_API_KEY: 'rest-fortress-bank',
      KAKAO_REDIRECT_URI: 'http://127.0.0.1:9/v1/auth/kakao/callback',
    },
  });
  const visitors = useVisitors();

  /** The bank's page (its own stylesheet, the widget) served under the strict policy at `path`. */
  function bankPage(
    chat: string,
    path: string,
    data: Record<string, string>,
  ): { url: string; policy: string } {
    const policy = strictPolicy(chat);
    env.host.serve(path, {
      body: embedPage({ chat, data, head: serveSiteStyles(env.host), title: 'Fortress Bank' }),
      headers: { 'content-security-policy': policy },
    });
    return { url: env.host.url(path), policy };
  }

  /** Opens `url`, checks the policy arrived, opens the panel on the sign-in view (Kakao button shown). */
  async function visitSignInView(page: Page, url: string, policy: string): Promise<void> {
    const response = await page.goto(url);
    expect(response?.headers()['content-security-policy']).toBe(policy);
    await openOnTop(page, { over: 'main' });
    await part(page, 'signIn').locator('[data-action="kakao"]').waitFor({ state: 'visible' });
  }

  /** Only the page's own origin and the chat server were contacted. */
  function expectOnlyAllowedTraffic(traffic: ReturnType<typeof recordTraffic>, chat: string): void {
    expect(new Set(traffic.http)).toEqual(new Set([env.host.origin, chat]));
    expect(new Set(traffic.websockets)).toEqual(new Set([chat]));
  }

  it('signs in, chats, closes and reopens, and reconnects, without a single violation', async () => {
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
    const { url, policy } = bankPage(node!.url, '/bank.html', { room: room.id });

    const page = await visitors.page();
    const violations = await recordViolations(page);
    const traffic = recordTraffic(page);
    await visitSignInView(page, url, policy);
    await screenshot(page, 'strict-csp-sign-in');
    await signInWithPassword(page, jo.user.username!, jo.password);
    await exchange(page, {
      chat: node!.url,
      other: teller,
      roomId: room.id,
      mine: 'Can I raise my card limit?',
      theirs: 'Yes, from the app or here.',
    });
    await screenshot(page, 'strict-csp-conversation');

    await closePanel(page);
    await openOnTop(page, { over: 'main' });
    await part(page, 'room').waitFor();
    await expect.poll(async () => (await readMessages(page)).length, POLL).toBe(2);

    // The connection drops and comes back (a new socket, which the policy must allow as well).
    const tellerSocket = await participant(node!.url, teller, room.id);
    await page.context().setOffline(true);
    await expect.poll(() => partTexts(page, 'banner'), POLL).toEqual(['Reconnecting…']);
    await tellerSocket.send('Your new limit is active.');
    await page.context().setOffline(false);
    await expect.poll(() => partTexts(page, 'banner'), POLL).toEqual([]);
    await expect
      .poll(async () => (await readMessages(page)).map((m) => m.text).at(-1), POLL)
      .toBe('Your new limit is active.');
    await sendMessage(page, 'Thank you!');
    tellerSocket.close();
    expect(traffic.websockets.length).toBeGreaterThanOrEqual(2);

    expect(await violations()).toEqual([]);
    expect(visitors.pageErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    expectOnlyAllowedTraffic(traffic, node!.url);

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

  it('renders the dark theme, its sign-in view and its conversation without a single violation', async () => {
    const [node] = env.nodes;
    const {
      room,
      owner: advisor,
      member: ana,
    } = await roomWithMember(node!, {
      title: 'Mortgage desk',
      owner: 'Mortgage Advisor',
      member: 'Ana Silva',
    });
    const { url, policy } = bankPage(node!.url, '/bank-dark.html', { room: room.id, theme: 'dark' });

    const page = await visitors.page();
    const violations = await recordViolations(page);
    const traffic = recordTraffic(page);
    await visitSignInView(page, url, policy);
    // The dark sheet applied: a dark panel (the adopted stylesheets are not refused).
    expect(luminance(await effectiveBackground(part(page, 'panel')))).toBeLessThan(80);
    await screenshot(page, 'strict-csp-dark-sign-in');
    await signInWithPassword(page, ana.user.username!, ana.password);
    await exchange(page, {
      chat: node!.url,
      other: advisor,
      roomId: room.id,
      mine: 'Is the fixed rate still 3.1%?',
      theirs: 'It is, until the end of the month.',
    });
    await screenshot(page, 'strict-csp-dark-conversation');

    expect(await violations()).toEqual([]);
    expect(visitors.pageErrors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);
    expectOnlyAllowedTraffic(traffic, node!.url);
  });
});

function luminance(color: string): number {
  const [r, g, b] = (/^rgb\((\d+), (\d+), (\d+)\)$/.exec(color) ?? []).slice(1).map(Number);
  if (r === undefined || g === undefined || b === undefined) throw new Error(`not an rgb() colour: ${color}`);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
