import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { WriteCooldown } from './write-cooldown.js';

function clock(start = 5_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const limited = (retryAfter: number) =>
  new AppError('rate_limited', 'Too many messages', { retryAfter }, { 'Retry-After': String(retryAfter) });

describe('write cooldown', () => {
  it('refuses writes of the refused kind without running them until retryAfter passed', async () => {
    const c = clock();
    const cooldown = new WriteCooldown(c.now);
    let calls = 0;
    const write = async () => {
      calls += 1;
      throw limited(3);
    };
    await expect(cooldown.run('messages', write)).rejects.toMatchObject({ code: 'rate_limited' });
    expect(calls).toBe(1);

    c.advance(1_200);
    const refused = await cooldown.run('messages', write).catch((e: AppError) => e);
    expect(calls).toBe(1);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).toBody().error).toMatchObject({
      code: 'rate_limited',
      details: { retryAfter: 2 },
    });

    // Reactions have their own budget.
    await expect(cooldown.run('reactions', async () => 'ok')).resolves.toBe('ok');

    c.advance(1_800);
    await expect(cooldown.run('messages', async () => 'sent')).resolves.toBe('sent');
  });

  it('ignores other errors and refusals without a usable retryAfter', async () => {
    const c = clock();
    const cooldown = new WriteCooldown(c.now);
    const failures = [
      new AppError('forbidden', 'muted'),
      new AppError('rate_limited', 'no hint'),
      new AppError('rate_limited', 'bad hint', { retryAfter: 'soon' }),
      new Error('database down'),
    ];
    for (const failure of failures) {
      await expect(cooldown.run('messages', () => Promise.reject(failure))).rejects.toBe(failure);
      expect(() => cooldown.check('messages')).not.toThrow();
    }
  });
});
