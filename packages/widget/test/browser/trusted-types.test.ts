/**
 * Trusted Types: the widget works on a strict-CSP page that enforces them (`require-trusted-types-for
 * 'script'`), and needs exactly one policy, named `synctalk` (its bundled lit-html's, under the widget's own
 * name): `trusted-types synctalk` is all a host adds. A host whose own Lit already made the `lit-html` policy
 * keeps it (no 'allow-duplicates' needed), and a page that restricts policy names without enforcing Trusted
 * Types still gets a working widget even when `synctalk` is not among them.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { recordViolations, strictPolicy, withTrustedTypes, type Violation } from './helpers/csp.js';
import { exchange } from './helpers/conversation.js';
import { openOnTop } from './helpers/on-top.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage, serveSiteStyles } from './helpers/pages.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { part, signInWithPassword } from './helpers/widget.js';

/** The storefront's own Lit, in one same-origin script: its `lit-html` policy, and a banner written with it. */
const STOREFRONT_JS = `
const policy = trustedTypes.createPolicy('lit-html', { createHTML: (s) => s });
window.storefrontPolicy = policy.name;
document.addEventListener('DOMContentLoaded', () => {
  const banner = document.createElement('p');
  banner.id = 'banner';
  banner.innerHTML = policy.createHTML('<strong>Free shipping</strong> on orders over 50 euros');
  document.querySelector('main').prepend(banner);
});
`;

interface ShopPage {
  policy: string;
  room?: string;
  storefront?: boolean;
}

describeBrowser('widget: on a page that enforces Trusted Types', () => {
  const env = useChatEnvironment({ label: 'trusted_types' });
  const visitors = useVisitors();

  /** Serves the shop's page at `path` under `policy`; `storefront` adds the shop's own Lit before the widget. */
  function shopPage(chat: string, path: string, page: ShopPage): string {
    env.host.serve('/storefront.js', { body: STOREFRONT_JS, type: 'text/javascript; charset=utf-8' });
    const head =
      serveSiteStyles(env.host) + (page.storefront ? '\n<script src="/storefront.js"></script>' : '');
    env.host.serve(path, {
      body: embedPage({ chat, data: page.room ? { room: page.room } : {}, head, title: 'Nordlicht Lamps' }),
      headers: { 'content-security-policy': page.policy },
    });
    return env.host.url(path);
  }

  /**
   * A room with a new member, the shop's page at `path` embedding it, and that member chatting there in
   * `page`; returns what the policy reported.
   */
  async function chatOn(
    page: Page,
    path: string,
    shop: ShopPage,
    cast: { title: string; owner: string; member: string; mine: string; theirs: string },
  ): Promise<() => Promise<Violation[]>> {
    const [node] = env.nodes;
    const { room, owner, member } = await roomWithMember(node!, cast);
    const violations = await recordViolations(page);
    const response = await page.goto(shopPage(node!.url, path, { ...shop, room: room.id }));
    expect(response?.headers()['content-security-policy']).toBe(shop.policy);
    await openOnTop(page, { over: 'main' });
    await signInWithPassword(page, member.user.username!, member.password);
    await exchange(page, { chat: node!.url, other: owner, roomId: room.id, ...cast });
    return violations;
  }

  it('works where the page requires Trusted Types', async () => {
    const [node] = env.nodes;
    const policy = withTrustedTypes(strictPolicy(node!.url), { require: true });
    const page = await visitors.page();
    const violations = await chatOn(
      page,
      '/required.html',
      { policy },
      {
        title: 'Orders',
        owner: 'Lena Vogt',
        member: 'Tom Berg',
        mine: 'Does the Aurora lamp take E27 bulbs?',
        theirs: 'It does, up to 60 W.',
      },
    );
    await screenshot(page, 'trusted-types-required');
    expect(await violations()).toEqual([]);
    expect(visitors.pageErrors).toEqual([]);
  });

  it('needs exactly one policy, named synctalk', async () => {
    const [node] = env.nodes;
    // No policy allowed: what the widget asks for is reported, and nothing of it renders.
    const refused = await visitors.page();
    const refusals = await recordViolations(refused);
    const none = withTrustedTypes(strictPolicy(node!.url), { require: true, names: ["'none'"] });
    await refused.goto(shopPage(node!.url, '/no-policies.html', { policy: none }));
    await expect
      .poll(async () => new Set((await refusals()).map((v) => v.directive)), POLL)
      .toEqual(new Set(['trusted-types', 'require-trusted-types-for']));
    const policiesAsked = (await refusals()).filter((v) => v.directive === 'trusted-types');
    expect(policiesAsked.map((v) => v.sample)).toEqual(['synctalk']);
    expect(await part(refused, 'launcher').count()).toBe(0);

    // That one name allowed: everything works, and nothing else is refused.
    const policy = withTrustedTypes(strictPolicy(node!.url), { require: true, names: ['synctalk'] });
    const page = await visitors.page();
    visitors.pageErrors.length = 0;
    const violations = await chatOn(
      page,
      '/synctalk-policy.html',
      { policy },
      {
        title: 'Returns',
        owner: 'Jonas Weber',
        member: 'Mia Klein',
        mine: 'Can I return a lamp after 30 days?',
        theirs: 'Yes, within 60 days with the receipt.',
      },
    );
    await screenshot(page, 'trusted-types-synctalk-policy-only');
    expect(await violations()).toEqual([]);
    expect(visitors.pageErrors).toEqual([]);
  });

  it('works beside the host page’s own Lit and its lit-html policy, without allow-duplicates', async () => {
    const [node] = env.nodes;
    const policy = withTrustedTypes(strictPolicy(node!.url), {
      require: true,
      names: ['lit-html', 'synctalk'],
    });
    const page = await visitors.page();
    const violations = await chatOn(
      page,
      '/storefront.html',
      { policy, storefront: true },
      {
        title: 'Lighting advice',
        owner: 'Eva Lind',
        member: 'Noah Fischer',
        mine: 'Which shade suits a reading corner?',
        theirs: 'The linen one: warm and soft.',
      },
    );
    expect(
      await page.evaluate(() => (window as unknown as { storefrontPolicy: string }).storefrontPolicy),
    ).toBe('lit-html');
    expect(await page.locator('#banner').textContent()).toBe('Free shipping on orders over 50 euros');
    await screenshot(page, 'trusted-types-beside-host-lit');
    expect(await violations()).toEqual([]);
    expect(visitors.pageErrors).toEqual([]);

    // The page does refuse a second lit-html policy (what the widget's bundled lit-html used to ask for,
    // which threw before the widget had defined anything).
    const second = await page.evaluate(() => {
      type Factory = { createPolicy(name: string, rules: { createHTML(s: string): string }): unknown };
      try {
        (window as unknown as { trustedTypes: Factory }).trustedTypes.createPolicy('lit-html', {
          createHTML: (s) => s,
        });
        return 'created';
      } catch (error) {
        return (error as Error).name;
      }
    });
    expect(second).toBe('TypeError');
    await expect
      .poll(async () => (await violations()).map((v) => [v.directive, v.sample]), POLL)
      .toEqual([['trusted-types', 'lit-html']]);
  });

  it('works where the page restricts policy names without enforcing Trusted Types', async () => {
    const [node] = env.nodes;
    const policy = withTrustedTypes(strictPolicy(node!.url), { require: false, names: ["'none'"] });
    const page = await visitors.page();
    const violations = await chatOn(
      page,
      '/names-only.html',
      { policy },
      {
        title: 'Wholesale',
        owner: 'Ben Hartmann',
        member: 'Ida Roth',
        mine: 'Do you ship to Denmark?',
        theirs: 'We do, in three to five days.',
      },
    );
    await screenshot(page, 'trusted-types-names-only');
    // Its policy was refused (and reported), and it rendered without one.
    expect((await violations()).map((v) => [v.directive, v.sample])).toEqual([['trusted-types', 'synctalk']]);
  });
});
