/**
 * A host page whose scripts, run before the widget, polluted the globals as old libraries and polyfills do:
 * enumerable junk on `Array.prototype` and `Object.prototype`, extra `Symbol` statics, custom elements of its
 * own and a wrapped `customElements.define`. The widget works fully there without a single page error; and
 * where the page itself already defined `<synctalk-chat>`, the widget leaves that element and the page alone
 * and says why on the console.
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { screenshot } from './helpers/artifacts.js';
import { converse } from './helpers/conversation.js';
import { useChatEnvironment } from './helpers/environment.js';
import { expectPanelOnTop, expectPinned, openOnTop } from './helpers/on-top.js';
import { embedPage } from './helpers/pages.js';
import { roomWithMember } from './helpers/rooms.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { part } from './helpers/widget.js';

/** What a decade of libraries left on the page: plain enumerable assignments, a wrapped define. */
const LEGACY = `Array.prototype.remove = function (item) {
  const i = this.indexOf(item);
  if (i >= 0) this.splice(i, 1);
  return this;
};
Array.prototype.last = function () { return this[this.length - 1]; };
Object.prototype.polluted = 'yes';
Object.prototype.extend = function (more) { for (const key in more) this[key] = more[key]; return this; };
Symbol.observable = Symbol('observable');
Symbol.customInspect = Symbol('customInspect');
window.definedElements = [];
const define = customElements.define;
customElements.define = function (name, constructor, options) {
  window.definedElements.push(name);
  return define.call(this, name, constructor, options);
};
customElements.define('acme-header', class extends HTMLElement {
  connectedCallback() { this.textContent = 'Acme Hardware: open every day until 8 pm'; }
});
`;

/** A page that built its own chat placeholder under the widget's tag name. */
const OWN_TAG = `customElements.define('synctalk-chat', class extends HTMLElement {
  connectedCallback() { this.textContent = 'Our own chat is coming soon.'; }
});
`;

function warnings(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning') seen.push(m.text());
  });
  return seen;
}

describeBrowser('widget: on a page with polluted globals', () => {
  const env = useChatEnvironment({ label: 'host_polluted_globals' });
  const visitors = useVisitors();

  it('works fully with junk on the prototypes and a wrapped customElements.define', async () => {
    const [node] = env.nodes;
    const cast = await roomWithMember(node!, {
      title: 'Tool hire',
      owner: 'Gus Okafor',
      member: 'Hedda Strand',
    });
    env.host.serve('/legacy.js', { body: LEGACY, type: 'text/javascript' });
    env.host.serve('/hardware.html', {
      body: embedPage({
        chat: node!.url,
        data: { room: cast.room.id },
        title: 'Acme Hardware',
        head: '<script src="/legacy.js"></script>',
        body: '<acme-header></acme-header>',
      }),
    });

    const page = await visitors.page();
    await page.goto(env.host.url('/hardware.html'));
    await part(page, 'launcher').waitFor();
    // The pollution is live: for…in over an array and over a fresh object sees it, and every definition,
    // the widget's included, went through the host's wrapper.
    const polluted = await page.evaluate(() => {
      const arrayKeys: string[] = [];
      for (const key in ['a']) arrayKeys.push(key);
      const objectKeys: string[] = [];
      for (const key in {}) objectKeys.push(key);
      return {
        arrayKeys,
        objectKeys,
        defined: (window as unknown as { definedElements: string[] }).definedElements,
        header: document.querySelector('acme-header')!.textContent,
      };
    });
    expect(polluted).toEqual({
      arrayKeys: ['0', 'remove', 'last', 'polluted', 'extend'],
      objectKeys: ['polluted', 'extend'],
      defined: ['acme-header', 'synctalk-chat'],
      header: 'Acme Hardware: open every day until 8 pm',
    });

    await openOnTop(page);
    await expectPinned(page);
    await converse(page, node!.url, cast, 'Do you rent out tile cutters?', 'Yes, €25 a day.');
    await expectPanelOnTop(page);
    expect(visitors.pageErrors).toEqual([]);
    await screenshot(page, 'host-polluted-globals-conversation');
  });

  it('leaves a page’s own <synctalk-chat> alone and warns on the console', async () => {
    const [node] = env.nodes;
    env.host.serve('/own-tag.js', { body: OWN_TAG, type: 'text/javascript' });
    env.host.serve('/own-tag.html', {
      body: embedPage({
        chat: node!.url,
        title: 'Brightwater Dental',
        head: '<script src="/own-tag.js"></script>',
        body: '<synctalk-chat></synctalk-chat><p id="after">Book a check-up online.</p>',
      }),
    });

    const page = await visitors.page();
    const warned = warnings(page);
    await page.goto(env.host.url('/own-tag.html'));
    await expect
      .poll(() => warned, POLL)
      .toEqual([expect.stringMatching(/^SyncTalk: <synctalk-chat> is already defined on this page/)]);

    // The page's element is untouched, nothing else was added, the script's API answers without throwing.
    const state = await page.evaluate(() => {
      const sync = (window as unknown as { SyncTalk: (command: string) => unknown }).SyncTalk;
      sync('open');
      return {
        elements: [...document.querySelectorAll('synctalk-chat')].map((el) => el.textContent),
        shadow: document.querySelector('synctalk-chat')!.shadowRoot !== null,
        after: document.getElementById('after')!.textContent,
      };
    });
    expect(state).toEqual({
      elements: ['Our own chat is coming soon.'],
      shadow: false,
      after: 'Book a check-up online.',
    });
    expect(await part(page, 'launcher').count()).toBe(0);
    expect(visitors.pageErrors).toEqual([]);
    await screenshot(page, 'host-polluted-globals-own-synctalk-chat');
  });
});
