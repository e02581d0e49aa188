import { describe, expect, it } from 'vitest';
import { AppError } from '../platform/errors.js';
import { SEND_RETRY_AFTER, sendAdmission, sendRefusal } from './send-admission.js';

const config = (sendQueueMax: number, sendQueueMaxWaitMs = 60_000) =>
  ({ messages: { sendQueueMax, sendQueueMaxWaitMs } }) as Parameters<typeof sendAdmission>[0];

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => (resolve = res));
  return { promise, resolve };
}

describe('send admission', () => {
  it('refuses a send over the bound with unavailable, retryAfter and Retry-After', () => {
    const error = sendRefusal('full');
    expect(error).toBeInstanceOf(AppError);
    expect(error.status).toBe(503);
    expect(error.headers).toEqual({ 'Retry-After': String(SEND_RETRY_AFTER) });
    expect(error.toBody()).toEqual({
      error: {
        code: 'unavailable',
        message: `The server has too many sends in progress; retry in ${SEND_RETRY_AFTER} s`,
        details: { retryAfter: SEND_RETRY_AFTER },
      },
    });
    expect(sendRefusal('behind').message).toMatch(/behind on sends/);
  });

  it('answers a socket send over the bound with the same body, and holds a place until released', () => {
    const admission = sendAdmission(config(1));
    const first = admission.enter();
    expect('release' in first).toBe(true);
    expect(admission.enter()).toEqual({ refusal: sendRefusal('full').toBody() });
    (first as { release(): void }).release();
    expect('release' in admission.enter()).toBe(true);
  });

  it('runs a REST send holding a place, and gives it back however the send ends', async () => {
    const admission = sendAdmission(config(1));
    const held = deferred<string>();
    const running = admission.run(() => held.promise);
    expect(admission.gate.inProgress).toBe(1);
    let ran = false;
    await expect(
      admission.run(async () => {
        ran = true;
      }),
    ).rejects.toMatchObject({ code: 'unavailable', details: { retryAfter: SEND_RETRY_AFTER } });
    expect(ran).toBe(false);
    held.resolve('stored');
    await expect(running).resolves.toBe('stored');
    expect(admission.gate.inProgress).toBe(0);

    await expect(admission.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(admission.gate.inProgress).toBe(0);
    expect(admission.gate.refused).toEqual({ full: 1, behind: 0 });
  });
});
