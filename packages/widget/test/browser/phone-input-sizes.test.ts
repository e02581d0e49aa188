/**
 * On a phone every text field of the widget is at least 16px: iOS zooms the page in when a field with a
 * smaller font is focused, and does not zoom back. Checked on the computed style of every input, select and
 * textarea of each view that has one: the three sign-in forms (guest, log in, sign up), the room list (join
 * by code), the new-room form and a conversation (the composer).
 */
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import { joinRoom, newRoom, newSite, newUser } from '../../../server/test/helpers/factories.js';
import { screenshot } from './helpers/artifacts.js';
import { useChatEnvironment } from './helpers/environment.js';
import { embedPage } from './helpers/pages.js';
import { PHONE, PHONE_VIEWPORT } from './helpers/phone.js';
import { describeBrowser, POLL } from './helpers/suite.js';
import { useVisitors } from './helpers/visitors.js';
import { part, submitLogin } from './helpers/widget.js';

interface Field {
  field: string;
  fontSize: number;
}

/** Every text field of the open panel, named by its `name` (or its part), with its computed font size. */
function fields(page: Page): Promise<Field[]> {
  return part(page, 'panel')
    .locator('input, select, textarea')
    .evaluateAll((els) =>
      els.map((el) => ({
        field: `${el.tagName.toLowerCase()}[${el.getAttribute('name') ?? el.getAttribute('part')}]`,
        fontSize: parseFloat(getComputedStyle(el).fontSize),
      })),
    );
}

/** The view's fields are exactly `expected`, and none is under 16px. */
async function expectReadableFields(page: Page, view: string, expected: string[]): Promise<void> {
  await expect.poll(async () => (await fields(page)).map((f) => f.field), POLL).toEqual(expected);
  for (const { field, fontSize } of await fields(page)) {
    expect(fontSize, `${view}: ${field}`).toBeGreaterThanOrEqual(16);
  }
  await screenshot(page, `phone-input-sizes-${view}`);
}

describeBrowser('widget: text fields large enough that phones do not zoom', () => {
  const env = useChatEnvironment({ label: 'phone_input_sizes' });
  const visitors = useVisitors();

  it('sizes every field of the sign-in forms, the room list, the new-room form and the composer ≥ 16px', async () => {
    const [node] = env.nodes;
    const { site } = await newSite(node!, {
      name: 'Alpine Guides',
      origins: [env.host.origin],
      settings: { guestsEnabled: true, signupEnabled: true },
    });
    const guide = await newUser(node!, { site, displayName: 'Jonas Keller' });
    const sofia = await newUser(node!, { site, username: 'sofia_marin', displayName: 'Sofia Marin' });
    const room = await newRoom(node!, guide, { title: 'Glacier walks' });
    await joinRoom(node!, sofia, room);
    env.host.serve('/tours.html', {
      body: embedPage({
        chat: node!.url,
        data: { site: site.publicId },
        title: 'Alpine Guides',
        viewport: PHONE_VIEWPORT,
      }),
    });

    const page = await visitors.page(PHONE);
    await page.goto(env.host.url('/tours.html'));
    await part(page, 'launcher').tap();
    const signIn = part(page, 'signIn');
    await signIn.waitFor();

    // The measure is live: the widget's own text is smaller (the labels are 13px), the fields are not.
    await signIn.locator('button[data-view="signup"]').tap();
    const labelSize = await signIn
      .locator('label')
      .first()
      .evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(labelSize).toBeLessThan(16);
    await expectReadableFields(page, 'sign-up', ['input[displayName]', 'input[username]', 'input[password]']);
    await signIn.locator('button[data-view="guest"]').tap();
    await expectReadableFields(page, 'guest', ['input[displayName]']);
    await signIn.locator('button[data-view="login"]').tap();
    await expectReadableFields(page, 'log-in', ['input[username]', 'input[password]']);

    await submitLogin(page, sofia.user.username!, sofia.password);
    await part(page, 'roomList').waitFor();
    await expectReadableFields(page, 'room-list', ['input[code]']);

    await part(page, 'panel').locator('button[data-action="create"]').tap();
    await expectReadableFields(page, 'new-room', ['input[title]', 'select[visibility]']);

    await part(page, 'panel').locator('button[part~="back"]').tap();
    await part(page, 'roomList').locator('[part~="room-item"]', { hasText: 'Glacier walks' }).tap();
    await part(page, 'input').waitFor();
    await expectReadableFields(page, 'conversation', ['textarea[text]']);
  });
});
