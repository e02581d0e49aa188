/**
 * examples/webhook-receiver run as its README runs it (a child process with the endpoint secret): it
 * handles a signed event once however often it is delivered, accepts either secret while two are in use,
 * and refuses a tampered body, a stale timestamp, a missing signature and another secret without handling
 * anything.
 */
import { randomUUID } from 'node:crypto';
import { signWebhook } from '@synctalk/sdk/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExample, type RunningExample } from './helpers/example.js';

const SECRET = 'whsec_example-receiver-secret-one';
const NEXT_SECRET = 'whsec_example-receiver-secret-two';

const now = () => Math.floor(Date.now() / 1000);

function messageEvent(text: string) {
  const id = randomUUID();
  return {
    id,
    type: 'message.created',
    createdAt: new Date().toISOString(),
    siteId: 'st_Example1',
    data: {
      roomId: '7',
      message: {
        id: '91',
        roomId: '7',
        seq: '12',
        author: { id: '3', displayName: 'Ann', avatarUrl: null },
        clientMsgId: `c-${id}`,
        text,
        replyTo: null,
        createdAt: new Date().toISOString(),
        editedAt: null,
        deletedAt: null,
        reactions: [],
      },
    },
  };
}

describe('examples/webhook-receiver', () => {
  let receiver: RunningExample;

  const post = (body: string, signature?: string) =>
    fetch(`${receiver.url}/synctalk`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature ? { 'synctalk-signature': signature } : {}),
      },
      body,
    });
  const handled = async () => (await (await fetch(`${receiver.url}/events`)).json()) as { id: string }[];

  beforeAll(async () => {
    receiver = await startExample('webhook-receiver/server.mjs', {
      SYNCTALK_WEBHOOK_SECRET: `${SECRET},${NEXT_SECRET}`,
    });
  });
  afterAll(() => receiver?.stop());

  it('handles a signed event once, however often it is delivered', async () => {
    const event = messageEvent('Your order shipped');
    const body = JSON.stringify(event);
    for (let i = 0; i < 3; i += 1) {
      const res = await post(body, signWebhook(body, SECRET, now()));
      expect(res.status).toBe(204);
    }
    expect((await handled()).filter((e) => e.id === event.id)).toHaveLength(1);
    expect(receiver.output()).toContain('"Your order shipped" from Ann -> would email members who are away');
  });

  it('accepts the next secret during a rotation', async () => {
    const event = messageEvent('signed with the new secret only');
    const body = JSON.stringify(event);
    expect((await post(body, signWebhook(body, NEXT_SECRET, now()))).status).toBe(204);
    expect((await handled()).map((e) => e.id)).toContain(event.id);
  });

  it('refuses forged, tampered, stale and unsigned deliveries without handling them', async () => {
    const before = (await handled()).length;
    const event = messageEvent('the original text');
    const body = JSON.stringify(event);
    const signature = signWebhook(body, SECRET, now());

    const tampered = await post(body.replace('the original text', 'a changed text'), signature);
    expect(tampered.status).toBe(400);
    expect(await tampered.text()).toBe('mismatch');

    const stale = await post(body, signWebhook(body, SECRET, now() - 3600));
    expect(stale.status).toBe(400);
    expect(await stale.text()).toBe('stale');

    const forged = await post(body, signWebhook(body, 'whsec_someone-else', now()));
    expect(await forged.text()).toBe('mismatch');

    const unsigned = await post(body);
    expect(unsigned.status).toBe(400);
    expect(await unsigned.text()).toBe('missing_signature');

    expect(await handled()).toHaveLength(before);
  });
});
